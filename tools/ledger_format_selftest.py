#!/usr/bin/env python3
"""Self-check for tools/ledger-read.

Builds small ledger logs with a tiny writer written from log-format/SPEC.md (below), runs the reader
on them and checks its output, its verification and its error messages.

    python3 tools/ledger_format_selftest.py

The last line is `N passed, M failed`; the exit status is non-zero when anything failed.
Needs only the standard library plus the `lz4` and `xxhash` packages.
"""

import datetime
import hashlib
import importlib.machinery
import importlib.util
import io
import os
import shutil
import struct
import subprocess
import sys
import tempfile

import lz4.frame
import xxhash

HERE = os.path.dirname(os.path.abspath(__file__))
READER = os.path.join(HERE, "ledger-read")
ZERO = bytes(32)

# --------------------------------------------------------------------------------------------
# a tiny writer, from the spec


def crc32c(data):
    table = crc32c.table
    if table is None:
        table = []
        for i in range(256):
            c = i
            for _ in range(8):
                c = (c >> 1) ^ 0x82F63B78 if c & 1 else c >> 1
            table.append(c)
        crc32c.table = table
    crc = 0xFFFFFFFF
    for b in data:
        crc = table[(crc ^ b) & 0xFF] ^ (crc >> 8)
    return crc ^ 0xFFFFFFFF


crc32c.table = None


def varint(n):
    assert 0 <= n < 1 << 64
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        if n:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def zigzag(v):
    return varint(((v << 1) ^ (v >> 63)) & ((1 << 64) - 1))


def string(s):
    b = s if isinstance(s, bytes) else s.encode("utf-8")
    return varint(len(b)) + b


NULL, FALSE, TRUE, INT, DEC, STR, TS, BYTES, JSON, SEALED = range(10)


def value(tag, v=None):
    out = bytes([tag])
    if tag in (INT, TS):
        return out + zigzag(v)
    if tag in (DEC, STR, JSON):
        return out + string(v)
    if tag == BYTES:
        return out + varint(len(v)) + v
    if tag == SEALED:
        return out + string(v[0]) + varint(len(v[1])) + v[1]
    return out


def us(y, mo, d, h=0, mi=0, s=0, micro=0):
    dt = datetime.datetime(y, mo, d, h, mi, s, micro, tzinfo=datetime.timezone.utc)
    delta = dt - datetime.datetime(1970, 1, 1, tzinfo=datetime.timezone.utc)
    return (delta.days * 86400 + delta.seconds) * 1000000 + delta.microseconds


def merkle(hashes):
    """RFC 6962 tree hash, computed bottom-up (an unpaired last node moves up unchanged)."""
    if not hashes:
        return hashlib.sha256(b"").digest()
    level = [hashlib.sha256(b"\x00" + h).digest() for h in hashes]
    while len(level) > 1:
        nxt = [hashlib.sha256(b"\x01" + level[i] + level[i + 1]).digest()
               for i in range(0, len(level) - 1, 2)]
        if len(level) % 2:
            nxt.append(level[-1])
        level = nxt
    return level[0]


class Event:
    def __init__(self, time, op, source, entity, keys, fields, rowversion=None, sort=True,
                 delta_bytes=None):
        self.time, self.op, self.source, self.entity = time, op, source, entity
        self.keys, self.rowversion, self.delta_bytes = keys, rowversion, delta_bytes
        items = list(fields.items()) if isinstance(fields, dict) else list(fields)
        if sort:
            items.sort(key=lambda kv: kv[0].encode("utf-8"))
        self.fields = items


class Writer:
    """Writes a log directory. `tamper` hooks let the tests produce wrong-but-CRC-valid data."""

    def __init__(self, path):
        self.path = path
        os.makedirs(path, exist_ok=True)
        self.next = 0
        self.chain = ZERO
        self.root = ZERO
        self.f = None
        self.hashes = []          # every event hash, by offset
        self.data_hashes = []     # hex, by offset
        self.batch_pos = []       # (segment file name, position) of every batch
        self.segments = []        # file names
        self.footers = []         # (file name, position)

    def new_segment(self, ctime=0, prev_root=None, prev_head=None):
        name = "%020d.seg" % self.next
        self.seg_name, self.seg_base, self.seg_hashes = name, self.next, []
        self.seg_first = self.seg_last = None
        hdr = (b"LDGRSEG1" + struct.pack("<HHIQq", 1, 0, 128, self.next, ctime)
               + (self.chain if prev_head is None else prev_head)
               + (self.root if prev_root is None else prev_root) + bytes(28))
        hdr += struct.pack("<I", crc32c(hdr))
        self.f = open(os.path.join(self.path, name), "wb")
        self.f.write(hdr)
        self.pos = 128
        self.segments.append(name)

    def commit(self, events, codec=0, last_ts=None, first_ts=None):
        first = events[0].time if first_ts is None else first_ts
        records = []
        h = self.chain
        for i, ev in enumerate(events):
            flags = 1 if ev.rowversion is not None else 0
            fields = (varint(len(ev.fields)) + b"".join(string(n) for n, _ in ev.fields)
                      + b"".join(value(*v) for _, v in ev.fields))
            rest = (bytes([ev.op, flags]) + string(ev.source) + string(ev.entity)
                    + varint(len(ev.keys)) + b"".join(string(k) for k in ev.keys)
                    + (string(ev.rowversion) if flags else b"") + fields)
            delta = ev.delta_bytes if ev.delta_bytes is not None else varint(ev.time - first)
            body = delta + rest
            records.append(varint(len(body)) + body)
            h = hashlib.sha256(h + struct.pack("<Qq", self.next + i, ev.time) + rest).digest()
            self.hashes.append(h)
            self.seg_hashes.append(h)
            self.data_hashes.append(hashlib.sha256(fields).hexdigest())
        area = b"".join(records)
        enc = lz4.frame.compress(area, store_size=True) if codec == 1 else area
        last = events[-1].time if last_ts is None else last_ts
        tail = (struct.pack("<IQqqBBHI", len(events), self.next, first, last, codec, 0, 0,
                            len(area)) + h + enc)
        batch = b"LBAT" + struct.pack("<II", 12 + len(tail), crc32c(tail)) + tail
        self.f.write(batch)
        self.batch_pos.append((self.seg_name, self.pos))
        self.pos += len(batch)
        self.next += len(events)
        self.chain = h
        if self.seg_first is None:
            self.seg_first = first
        self.seg_last = last
        return h

    def seal(self, bad_root=False):
        r = hashlib.sha256(b"\x02" + self.root + merkle(self.seg_hashes)).digest()
        if bad_root:
            r = bytes([r[0] ^ 1]) + r[1:]
        n = self.next - self.seg_base
        footer = (b"LFTR" + struct.pack("<IQQqq", 128, self.seg_base, n, self.seg_first or 0,
                                        self.seg_last or 0)
                  + self.chain + r + struct.pack("<Q", self.pos) + bytes(12))
        footer += struct.pack("<I", crc32c(footer))
        self.f.write(footer)
        self.footers.append((self.seg_name, self.pos))
        self.f.close()
        self.f = None
        self.root = r

    def close(self, head=True):
        if self.f:
            self.f.close()
            self.f = None
        if head:
            write_head(self.path, self.next, self.chain)


def write_head(path, nxt, chain):
    b = struct.pack("<Q", nxt) + chain
    with open(os.path.join(path, "HEAD"), "wb") as f:
        f.write(b + struct.pack("<I", crc32c(b)))


# --------------------------------------------------------------------------------------------
# the sample log

T0 = us(2026, 1, 1, 8, 0, 13)
UNICODE = 'h\u00e9llo "q" \\ \n\t\r\b\f\x01\x1f\x7f \u20ac \U0001F600 \u2028'


def build_sample(path):
    w = Writer(path)
    w.new_segment(ctime=T0 - 1000)
    evs1 = [
        Event(T0, 1, "pos", "sales", ["sale_id"], {"qty": (DEC, "5"), "sale_id": (STR, "1")}),
        Event(T0 + 1500, 1, "pos", "types", ["id"], {
            "a_null": (NULL,), "b_false": (FALSE,), "c_true": (TRUE,),
            "d_int": (INT, -12), "d_int_big": (INT, -(1 << 63)), "d_int_max": (INT, (1 << 63) - 1),
            "e_dec": (DEC, "-1250.5"), "e_dec0": (DEC, "0"),
            "f_str": (STR, UNICODE), "g_ts": (TS, us(2026, 1, 1, 1, 0, 13)), "g_ts_neg": (TS, -1),
            "h_bytes": (BYTES, b"\x00\xff\x10"), "h_empty": (BYTES, b""),
            "i_json": (JSON, '{"a":[1,2.5,"x\\n\u00e9"],"b":null}'),
            "id": (INT, 7), "\u00fc": (STR, "\u00fc"), "Z": (TRUE,),
        }),
    ]
    w.commit(evs1, codec=0)
    evs2 = [
        Event(T0 + 2000, 2, "pos", "sales", ["sale_id"], {"sale_id": (STR, "1")}),
        Event(T0 + 2000, 3, "pos", "sales", [], {"position": (STR, "abc")}),
    ]
    w.commit(evs2, codec=1)
    w.seal()
    w.new_segment(ctime=T0 + 3000)
    day = us(2026, 1, 2)
    w.commit([Event(T0 + 5000, 1, "erp", "prices", ["sku", "day"],
                    {"sku": (STR, "A|B"), "day": (TS, day), "price": (DEC, "0.5")},
                    rowversion="rv-1\u00e9")], codec=0)
    w.commit([
        Event(T0 + 6000, 1, "erp", "flags", ["flag", "blob"],
              {"blob": (BYTES, b"\xab\x01"), "flag": (TRUE,), "n": (NULL,)}, rowversion=""),
        Event(T0 + 6001, 1, "erp", "docs", ["doc"], {"doc": (JSON, '[1,{"k":"v"}]')}),
    ], codec=1)
    w.close()
    return w


def expected_lines(w):
    """The JSON lines of the sample log, written out by hand (hashes from the writer)."""
    bk = lambda s: xxhash.xxh3_128_hexdigest(s.encode("utf-8"))
    h = [x.hex() for x in w.hashes]
    d = w.data_hashes
    uni_json = ('"h\u00e9llo \\"q\\" \\\\ \\n\\t\\r\\b\\f\\u0001\\u001f\x7f \u20ac \U0001F600 '
                '\u2028"')
    lines = [
        '{"offset":0,"time":"2026-01-01T08:00:13.000000Z","source":"pos","entity":"sales",'
        '"op":"upsert","key":{"sale_id":"1"},"rowversion":null,"bk_hash":"%s","data_hash":"%s",'
        '"hash":"%s","fields":{"qty":5,"sale_id":"1"}}' % (bk("sale_id=1"), d[0], h[0]),

        '{"offset":1,"time":"2026-01-01T08:00:13.001500Z","source":"pos","entity":"types",'
        '"op":"upsert","key":{"id":{"$int":"7"}},"rowversion":null,"bk_hash":"%s",'
        '"data_hash":"%s","hash":"%s","fields":{"Z":true,"a_null":null,"b_false":false,'
        '"c_true":true,"d_int":{"$int":"-12"},"d_int_big":{"$int":"-9223372036854775808"},'
        '"d_int_max":{"$int":"9223372036854775807"},"e_dec":-1250.5,"e_dec0":0,'
        '"f_str":%s,"g_ts":{"$timestamp":"2026-01-01T01:00:13.000000Z"},'
        '"g_ts_neg":{"$timestamp":"1969-12-31T23:59:59.999999Z"},"h_bytes":{"$bytes":"00ff10"},'
        '"h_empty":{"$bytes":""},"i_json":{"$json":{"a":[1,2.5,"x\\n\u00e9"],"b":null}},'
        '"id":{"$int":"7"},"\u00fc":"\u00fc"}}' % (bk("id=7"), d[1], h[1], uni_json),

        '{"offset":2,"time":"2026-01-01T08:00:13.002000Z","source":"pos","entity":"sales",'
        '"op":"delete","key":{"sale_id":"1"},"rowversion":null,"bk_hash":"%s","data_hash":"%s",'
        '"hash":"%s","fields":{"sale_id":"1"}}' % (bk("sale_id=1"), d[2], h[2]),

        '{"offset":3,"time":"2026-01-01T08:00:13.002000Z","source":"pos","entity":"sales",'
        '"op":"checkpoint","key":{},"rowversion":null,"bk_hash":"%s","data_hash":"%s",'
        '"hash":"%s","fields":{"position":"abc"}}' % (bk("source=pos"), d[3], h[3]),

        '{"offset":4,"time":"2026-01-01T08:00:13.005000Z","source":"erp","entity":"prices",'
        '"op":"upsert","key":{"sku":"A|B","day":{"$timestamp":"2026-01-02T00:00:00.000000Z"}},'
        '"rowversion":"rv-1\u00e9","bk_hash":"%s","data_hash":"%s","hash":"%s",'
        '"fields":{"day":{"$timestamp":"2026-01-02T00:00:00.000000Z"},"price":0.5,"sku":"A|B"}}'
        % (bk("sku=A\\|B|day=2026-01-02T00:00:00.000000Z"), d[4], h[4]),

        '{"offset":5,"time":"2026-01-01T08:00:13.006000Z","source":"erp","entity":"flags",'
        '"op":"upsert","key":{"flag":true,"blob":{"$bytes":"ab01"}},"rowversion":"",'
        '"bk_hash":"%s","data_hash":"%s","hash":"%s","fields":{"blob":{"$bytes":"ab01"},'
        '"flag":true,"n":null}}' % (bk("flag=true|blob=ab01"), d[5], h[5]),

        '{"offset":6,"time":"2026-01-01T08:00:13.006001Z","source":"erp","entity":"docs",'
        '"op":"upsert","key":{"doc":{"$json":[1,{"k":"v"}]}},"rowversion":null,"bk_hash":"%s",'
        '"data_hash":"%s","hash":"%s","fields":{"doc":{"$json":[1,{"k":"v"}]}}}'
        % (bk('doc=[1,{"k":"v"}]'), d[6], h[6]),
    ]
    return "".join(line + "\n" for line in lines).encode("utf-8")


# --------------------------------------------------------------------------------------------
# harness

PASSED = 0
FAILED = 0


def check(cond, what, detail=""):
    global PASSED, FAILED
    if cond:
        PASSED += 1
    else:
        FAILED += 1
        print("FAIL: %s%s" % (what, ("\n      " + detail.replace("\n", "\n      ")) if detail
                                   else ""))


def run(*args, inproc=False):
    if inproc:
        return run_inproc(*args)
    p = subprocess.run([sys.executable, READER] + list(args), stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, timeout=120)
    return p.returncode, p.stdout, p.stderr.decode("utf-8", "replace")


READER_MODULE = None


def run_inproc(*args):
    """Runs the reader's main() in this process (much faster for the many damage checks)."""
    out, err = io.BytesIO(), io.StringIO()
    saved = sys.stdout, sys.stderr
    wrapper = io.TextIOWrapper(out, encoding="utf-8")
    sys.stdout, sys.stderr = wrapper, err
    try:
        rc = READER_MODULE.main(list(args))
        wrapper.flush()
    finally:
        sys.stdout, sys.stderr = saved
        wrapper.detach()
    return rc, out.getvalue(), err.getvalue()


def load_reader():
    loader = importlib.machinery.SourceFileLoader("ledger_read", READER)
    spec = importlib.util.spec_from_loader("ledger_read", loader)
    mod = importlib.util.module_from_spec(spec)
    loader.exec_module(mod)
    return mod


def copy(src, dst):
    if os.path.exists(dst):
        shutil.rmtree(dst)
    shutil.copytree(src, dst)
    return dst


def flip(path, pos, mask=0x01):
    with open(path, "r+b") as f:
        f.seek(pos)
        b = f.read(1)
        f.seek(pos)
        f.write(bytes([b[0] ^ mask]))


def expect_failure(d, fname, pos, what, modes=((), ("--verify",)), contains=None, inproc=False):
    for mode in modes:
        rc, out, err = run(*(list(mode) + ["--quiet", d]), inproc=inproc)
        needle = "%s at byte %d" % (fname, pos)
        ok = rc == 1 and needle in err and "Traceback" not in err
        if contains:
            ok = ok and contains in err
        check(ok, "%s %s: expected exit 1 naming %r%s" % (what, " ".join(mode) or "(plain)",
                                                          needle,
                                                          " and %r" % contains if contains else ""),
              "rc=%d stderr=%s" % (rc, err))


def expect_ok(d, what, n=None, modes=((), ("--verify",))):
    for mode in modes:
        rc, out, err = run(*(list(mode) + [d]))
        ok = rc == 0 and err == "" and (n is None or out.count(b"\n") == n)
        check(ok, "%s %s: expected success%s" % (what, " ".join(mode) or "(plain)",
                                                 " with %d events" % n if n is not None else ""),
              "rc=%d lines=%d stderr=%s" % (rc, out.count(b"\n"), err))


def one_event_log(path, event, codec=0, **commit_kw):
    w = Writer(path)
    w.new_segment()
    w.commit([event], codec=codec, **commit_kw)
    w.close()
    return w


def main():
    tmp = tempfile.mkdtemp(prefix="ledger-selftest-")
    try:
        tests(tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print("%d passed, %d failed" % (PASSED, FAILED))
    return 1 if FAILED else 0


def tests(tmp):
    global READER_MODULE
    rd = READER_MODULE = load_reader()

    # -- primitives
    check(crc32c(b"123456789") == 0xE3069283, "writer CRC-32C check value")
    check(rd.crc32c(b"123456789") == 0xE3069283, "reader CRC-32C check value")
    big = os.urandom(10007)
    check(rd.crc32c(big) == crc32c(big), "reader CRC-32C word path agrees with the byte path")
    for n in (0, 1, 127, 128, 300, (1 << 64) - 1):
        check(rd.read_varint(varint(n), 0, len(varint(n))) == (n, len(varint(n))), "varint %d" % n)
    for bad in (b"\x80\x00", b"\xff\x00", b"\x80", b"\xff" * 9 + b"\x02", b"\xff" * 10 + b"\x01"):
        try:
            rd.read_varint(bad, 0, len(bad))
            check(False, "varint %s must be rejected" % bad.hex())
        except rd.Bad:
            check(True, "")
    for v in (0, -1, 1, -(1 << 63), (1 << 63) - 1):
        z = zigzag(v)
        check(rd.unzigzag(rd.read_varint(z, 0, len(z))[0]) == v, "zigzag %d" % v)
    check(rd.fmt_time(0) == "1970-01-01T00:00:00.000000Z", "time 0")
    check(rd.fmt_time(us(1, 1, 1)) == "0001-01-01T00:00:00.000000Z", "time year 1")
    check(rd.fmt_time(us(9999, 12, 31, 23, 59, 59, 999999)) == "9999-12-31T23:59:59.999999Z",
          "time year 9999")
    hs = [hashlib.sha256(bytes([i])).digest() for i in range(40)]
    check(all(rd.merkle_tree_hash(hs[:n]) == merkle(hs[:n]) for n in range(40)),
          "Merkle tree hash, 0..39 leaves, agrees with a bottom-up computation")
    for good in ("0", "-1.5", "10", "0.05", "1250"):
        check(rd.decimal_is_canonical(good), "decimal %s canonical" % good)
    for bad in ("-0", "01", "1.0", "1.", ".5", "+1", "1e3", "1,250", "", "0.50", "-"):
        check(not rd.decimal_is_canonical(bad), "decimal %r not canonical" % bad)
    for good in ('{"a":1,"b":[true,null,"\\u001f\\n"]}', "[]", "{}", '{"z":1,"\u00e9":-0.5}'):
        check(rd.json_canonical_problem(good) is None, "json %r canonical" % good)
    for bad in ('{"b":1,"a":2}', '{"a": 1}', "[1.0]", "[1e2]", '"s"', "1", '["\\u00e9"]',
                '["\\u001F"]', '["\\/"]', '{"a":1,"a":1}', "[-0]", "[NaN]", " []"):
        check(rd.json_canonical_problem(bad) is not None, "json %r not canonical" % bad)

    # -- the sample log
    base = os.path.join(tmp, "sample")
    w = build_sample(base)
    want = expected_lines(w)
    rc, out, err = run(base)
    check(rc == 0 and err == "", "plain read succeeds", "rc=%d stderr=%s" % (rc, err))
    check(out == want, "plain output is byte-exact", diff(out, want))
    rc, out, err = run("--verify", "--summary", base)
    check(rc == 0 and out == want, "--verify prints the same events", "rc=%d %s" % (rc, err))
    summary = "ok: 7 events, head offset 6, head hash %s\n" % w.hashes[6].hex()
    check(err == summary, "--verify --summary line", repr(err))
    rc, out, err = run("--verify", "--quiet", base)
    check(rc == 0 and out == b"" and err == "", "--verify --quiet prints nothing",
          "rc=%d %s" % (rc, err))

    # -- HEAD
    d = copy(base, os.path.join(tmp, "head5"))
    write_head(d, 5, w.hashes[4])
    want5 = b"".join(l + b"\n" for l in want.split(b"\n")[:5])
    for mode in ((), ("--verify",)):
        rc, out, err = run(*(list(mode) + ["--summary", d]))
        check(rc == 0 and out == want5, "HEAD next offset 5 limits output %s" % " ".join(mode),
              "rc=%d %s" % (rc, err))
        check(err == "ok: 5 events, head offset 4, head hash %s\n" % w.hashes[4].hex(),
              "summary under HEAD 5 %s" % " ".join(mode), repr(err))
    write_head(d, 3, w.hashes[2])  # HEAD inside the second batch
    expect_ok(d, "HEAD inside a batch", n=3)
    write_head(d, 0, ZERO)
    expect_ok(d, "HEAD next offset 0", n=0)
    write_head(d, 5, w.hashes[3])
    expect_failure(d, "HEAD", 8, "HEAD with a wrong chain head", modes=(("--verify",),))
    write_head(d, 8, w.hashes[6])
    expect_failure(d, "00000000000000000004.seg", os.path.getsize(
        os.path.join(d, "00000000000000000004.seg")), "HEAD past the end of the log")
    with open(os.path.join(d, "HEAD"), "r+b") as f:
        f.seek(41)
        f.write(b"\x00\x00")  # bad CRC: HEAD is ignored
    expect_ok(d, "HEAD with a bad CRC is ignored", n=7)
    os.remove(os.path.join(d, "HEAD"))
    expect_ok(d, "no HEAD", n=7)

    # -- torn tails in the last segment are not errors
    last = os.path.join(base, "00000000000000000004.seg")
    lastsize = os.path.getsize(last)
    with open(last, "rb") as f:
        lastdata = f.read()
    b3 = w.batch_pos[3][1]
    whole_batch = lastdata[b3:]
    for what, tail in (("half a batch", whole_batch[:len(whole_batch) // 2]),
                       ("a partial batch header", whole_batch[:30]),
                       ("3 bytes of magic", b"LBA"),
                       ("zero bytes", bytes(500)),
                       ("a partial footer", b"LFTR" + bytes(40)),
                       ("a batch header with a length past the end",
                        whole_batch[:4] + struct.pack("<I", 10 ** 6) + whole_batch[8:90])):
        d = copy(base, os.path.join(tmp, "torn"))
        with open(os.path.join(d, "00000000000000000004.seg"), "ab") as f:
            f.write(tail)
        expect_ok(d, "torn tail (%s)" % what, n=7)
        os.remove(os.path.join(d, "HEAD"))
        expect_ok(d, "torn tail (%s) without HEAD" % what, n=7)
    d = copy(base, os.path.join(tmp, "garbage"))
    with open(os.path.join(d, "00000000000000000004.seg"), "ab") as f:
        f.write(b"garbage!" * 20)
    expect_ok(d, "garbage after HEAD's next offset (plain read stops at HEAD)", n=7, modes=((),))
    expect_failure(d, "00000000000000000004.seg", lastsize, "garbage after the last batch",
                   modes=(("--verify",),))
    os.remove(os.path.join(d, "HEAD"))
    expect_failure(d, "00000000000000000004.seg", lastsize, "garbage after the last batch, no HEAD")
    # a torn batch below HEAD's next offset is damage
    d = copy(base, os.path.join(tmp, "cut"))
    with open(os.path.join(d, "00000000000000000004.seg"), "r+b") as f:
        f.truncate(lastsize - 10)
    expect_failure(d, "00000000000000000004.seg", b3, "a cut batch below HEAD")
    os.remove(os.path.join(d, "HEAD"))
    expect_ok(d, "a cut last batch without HEAD is a torn tail", n=5)
    # a torn tail in a segment that is not the last one is damage
    d = copy(base, os.path.join(tmp, "torn0"))
    seg0 = os.path.join(d, "00000000000000000000.seg")
    foot0 = w.footers[0][1]
    with open(seg0, "r+b") as f:
        f.truncate(foot0 - 7)
    expect_failure(d, "00000000000000000000.seg", w.batch_pos[1][1],
                   "a cut batch in a sealed segment")
    with open(seg0, "r+b") as f:
        f.truncate(w.batch_pos[1][1])
    expect_failure(d, "00000000000000000000.seg", w.batch_pos[1][1],
                   "a segment without footer that is not the last")

    # -- single flipped bytes are found, naming the file and the position
    spots = []
    s0, s1 = "00000000000000000000.seg", "00000000000000000004.seg"
    for p in (0, 8, 10, 17, 24, 40, 70, 100, 124, 127):
        spots.append(("segment header byte %d" % p, s0, p, 0))
        spots.append(("second segment header byte %d" % p, s1, p, 0))
    for (fname, bpos), label in zip(w.batch_pos, ("b0", "b1", "b2", "b3")):
        for p in (0, 3, 4, 6, 8, 11, 12, 16, 24, 32, 40, 41, 42, 44, 48, 79):
            spots.append(("%s header byte %d" % (label, p), fname, bpos + p, bpos))
        for p in (80, 81, 85, 100, 120):
            spots.append(("%s record area byte %d" % (label, p), fname, bpos + p, bpos))
    end_of = {s0: w.footers[0][1]}
    with open(os.path.join(base, s1), "rb") as f:
        end_of[s1] = len(f.read())
    for (fname, bpos), label in zip(w.batch_pos, ("b0", "b1", "b2", "b3")):
        nxt = [p for n, p in w.batch_pos if n == fname and p > bpos]
        bend = nxt[0] if nxt else end_of[fname]
        spots.append(("%s last byte" % label, fname, bend - 1, bpos))
    foot = w.footers[0][1]
    for p in (0, 3, 4, 8, 16, 24, 32, 40, 71, 72, 103, 104, 112, 124, 127):
        spots.append(("footer byte %d" % p, s0, foot + p, foot))
    for what, fname, p, at in spots:
        d = copy(base, os.path.join(tmp, "flip"))
        flip(os.path.join(d, fname), p)
        expect_failure(d, fname, at, "flipped " + what, inproc=True)
        for mask in (0x80, 0xFF):
            d = copy(base, os.path.join(tmp, "flip"))
            flip(os.path.join(d, fname), p, mask)
            expect_failure(d, fname, at, "flipped (mask %02x) %s" % (mask, what),
                           modes=(("--verify",),), inproc=True)

    # -- an edit with a recomputed CRC is caught by the hash chain
    d = copy(base, os.path.join(tmp, "edit"))
    seg0 = os.path.join(d, s0)
    bpos = w.batch_pos[0][1]
    with open(seg0, "rb") as f:
        data = bytearray(f.read())
    blen = struct.unpack_from("<I", data, bpos + 4)[0]
    i = data.index(b"\x05\x011", data.index(b"sale_id", bpos))  # the value "1" of sale_id (names come first)
    data[i + 2] = ord("2")
    struct.pack_into("<I", data, bpos + 8, crc32c(bytes(data[bpos + 12:bpos + blen])))
    with open(seg0, "wb") as f:
        f.write(data)
    expect_failure(d, s0, bpos, "an edited record with a fixed CRC", contains="chain")
    # ... also fixing the batch's stored chain head: caught at the next batch
    h = ZERO
    area = bytes(data[bpos + 80:bpos + blen])
    p = 0
    for k in range(2):
        n, q = rd.read_varint(area, p, len(area))
        body = area[q:q + n]
        delta, r = rd.read_varint(body, 0, len(body))
        t = struct.unpack_from("<q", data, bpos + 24)[0] + delta
        h = hashlib.sha256(h + struct.pack("<Qq", k, t) + body[r:]).digest()
        p = q + n
    data[bpos + 48:bpos + 80] = h
    struct.pack_into("<I", data, bpos + 8, crc32c(bytes(data[bpos + 12:bpos + blen])))
    with open(seg0, "wb") as f:
        f.write(data)
    expect_failure(d, s0, w.batch_pos[1][1], "an edit with fixed CRC and chain head",
                   contains="chain")

    # -- verification-only findings (plain reading succeeds)
    def verify_only(d, fname, pos, what, contains=None):
        expect_ok(d, what + " (plain read)", modes=((),))
        expect_failure(d, fname, pos, what, modes=(("--verify",),), contains=contains)

    one = "00000000000000000000.seg"
    d = os.path.join(tmp, "unsorted")
    one_event_log(d, Event(T0, 1, "s", "e", ["b"], [("b", (STR, "x")), ("a", (INT, 1))],
                           sort=False))
    verify_only(d, one, 128, "descending field names", contains="ascending")
    d = os.path.join(tmp, "dup")
    one_event_log(d, Event(T0, 1, "s", "e", ["a"], [("a", (STR, "x")), ("a", (STR, "y"))],
                           sort=False))
    verify_only(d, one, 128, "repeated field names", contains="ascending")
    d = os.path.join(tmp, "nullkey")
    one_event_log(d, Event(T0, 1, "s", "e", ["a"], {"a": (NULL,)}))
    verify_only(d, one, 128, "null key value", contains="null")
    d = os.path.join(tmp, "dec")
    one_event_log(d, Event(T0, 1, "s", "e", ["a"], {"a": (STR, "k"), "b": (DEC, "1.50")}))
    verify_only(d, one, 128, "non-canonical decimal", contains="decimal")
    d = os.path.join(tmp, "json")
    one_event_log(d, Event(T0, 1, "s", "e", ["a"],
                           {"a": (STR, "k"), "b": (JSON, '{"b":1,"a":2}')}), codec=1)
    verify_only(d, one, 128, "non-canonical json", contains="json")
    d = os.path.join(tmp, "ckpt")
    one_event_log(d, Event(T0, 3, "s", "e", ["a"], {"a": (STR, "k")}))
    verify_only(d, one, 128, "checkpoint with key fields", contains="checkpoint")
    d = os.path.join(tmp, "lastts")
    one_event_log(d, Event(T0, 1, "s", "e", ["a"], {"a": (STR, "k")}), last_ts=T0 + 1)
    verify_only(d, one, 128, "wrong batch last timestamp", contains="timestamp")
    d = os.path.join(tmp, "firstts")
    wr = Writer(d)
    wr.new_segment()
    wr.commit([Event(T0 + 5, 1, "s", "e", ["a"], {"a": (STR, "k")})], first_ts=T0)
    wr.close()
    verify_only(d, one, 128, "first event time differs from batch first timestamp",
                contains="first")
    d = os.path.join(tmp, "backwards")
    wr = Writer(d)
    wr.new_segment()
    wr.commit([Event(T0, 1, "s", "e", ["a"], {"a": (STR, "k")})])
    wr.commit([Event(T0 - 1, 1, "s", "e", ["a"], {"a": (STR, "k")})])
    wr.close()
    verify_only(d, one, wr.batch_pos[1][1], "time going backwards", contains="decrease")
    d = os.path.join(tmp, "sealed")
    one_event_log(d, Event(T0, 1, "s", "e", ["a"],
                           {"a": (STR, "k"), "z": (SEALED, ("k1", b"\x01\x02"))}))
    rc, out, err = run("--verify", d)
    check(rc == 0 and b'"z":{"$sealed":{"key":"k1","bytes":"0102"}}' in out,
          "a sealed value passes through", err)
    for what, kw, fname, pos in (
            ("wrong Merkle root in the footer", "root", s0, None),
            ("wrong previous root in the next header", "prevroot", "%020d.seg" % 3, 64),
            ("wrong previous head in the next header", "prevhead", "%020d.seg" % 3, 32)):
        d = os.path.join(tmp, kw)
        wr = Writer(d)
        wr.new_segment()
        wr.commit([Event(T0, 1, "s", "e", ["a"], {"a": (STR, "k")})])
        wr.commit([Event(T0, 1, "s", "e", ["a"], {"a": (STR, "k")}),
                   Event(T0, 1, "s", "e", ["a"], {"a": (STR, "l")})], codec=1)
        wr.seal(bad_root=kw == "root")
        wr.new_segment(prev_root=bytes(32) if kw == "prevroot" else None,
                       prev_head=bytes(32) if kw == "prevhead" else None)
        wr.commit([Event(T0, 1, "s", "e", ["a"], {"a": (STR, "m")})])
        wr.close()
        verify_only(d, fname, wr.footers[0][1] if pos is None else pos, what)
    # an empty sealed segment (alone: a following segment would have the same file name)
    d = os.path.join(tmp, "emptyseg")
    wr = Writer(d)
    wr.new_segment()
    wr.seal()
    wr.close()
    expect_ok(d, "an empty sealed segment", n=0)
    # a sealed last segment
    d = os.path.join(tmp, "sealedlast")
    wr = Writer(d)
    wr.new_segment()
    wr.commit([Event(T0, 1, "s", "e", ["a"], {"a": (STR, "k")})])
    wr.commit([Event(T0 + 1, 1, "s", "e", ["a"], {"a": (STR, "k")})], codec=1)
    wr.seal()
    wr.close()
    expect_ok(d, "a sealed last segment", n=2)

    # -- damage found in any mode
    d = os.path.join(tmp, "longvarint")
    one_event_log(d, Event(T0, 1, "s", "e", ["a"], {"a": (STR, "k")}, delta_bytes=b"\x80\x00"))
    expect_failure(d, one, 128, "a varint not in shortest form", contains="shortest")
    d = os.path.join(tmp, "utf8")
    one_event_log(d, Event(T0, 1, "s", "e", ["a"], {"a": (STR, b"\xc3\x28")}))
    expect_failure(d, one, 128, "invalid UTF-8", contains="UTF-8")
    d = os.path.join(tmp, "ts10000")
    one_event_log(d, Event(T0, 1, "s", "e", ["a"],
                           {"a": (STR, "k"), "t": (TS, us(9999, 12, 31, 23, 59, 59, 999999) + 1)}))
    expect_failure(d, one, 128, "a timestamp in year 10000", contains="0001-9999")
    d = os.path.join(tmp, "ts0")
    one_event_log(d, Event(us(1, 1, 1) - 1, 1, "s", "e", ["a"], {"a": (STR, "k")}))
    expect_failure(d, one, 128, "a commit time in year 0", contains="0001-9999")
    d = os.path.join(tmp, "tsmin")
    one_event_log(d, Event(us(1, 1, 1), 1, "s", "e", ["a"],
                           {"a": (STR, "k"), "t": (TS, us(1, 1, 1))}))
    rc, out, err = run("--verify", d)
    check(rc == 0 and out.count(b"0001-01-01T00:00:00.000000Z") == 2, "year 0001 renders", err)
    d = os.path.join(tmp, "nokey")
    one_event_log(d, Event(T0, 1, "s", "e", ["id"], {"a": (STR, "k")}))
    expect_failure(d, one, 128, "a missing key field", contains="key field")
    d = os.path.join(tmp, "gap")
    wr = Writer(d)
    wr.new_segment()
    wr.commit([Event(T0, 1, "s", "e", ["a"], {"a": (STR, "k")})])
    wr.next += 1
    wr.chain = wr.hashes[-1]
    wr.commit([Event(T0, 1, "s", "e", ["a"], {"a": (STR, "k")})])
    wr.close()
    expect_failure(d, one, wr.batch_pos[1][1], "an offset gap between batches", contains="offset")

    # -- usage
    rc, out, err = run()
    check(rc == 2 and "Traceback" not in err, "no arguments: exit 2", err)
    rc, out, err = run(os.path.join(tmp, "does-not-exist"))
    check(rc == 2 and "Traceback" not in err, "missing directory: exit 2", err)
    rc, out, err = run(os.path.join(base, "HEAD"))
    check(rc == 2 and "Traceback" not in err, "a file instead of a directory: exit 2", err)
    rc, out, err = run("--frobnicate", base)
    check(rc == 2 and "Traceback" not in err, "unknown option: exit 2", err)
    rc, out, err = run(base, base)
    check(rc == 2 and "Traceback" not in err, "two directories: exit 2", err)


def diff(got, want):
    g, w = got.split(b"\n"), want.split(b"\n")
    for i, (a, b) in enumerate(zip(g, w)):
        if a != b:
            return "line %d\n got: %s\nwant: %s" % (i, a.decode("utf-8", "replace"),
                                                   b.decode("utf-8", "replace"))
    return "got %d lines, want %d" % (len(g), len(w))


if __name__ == "__main__":
    sys.exit(main())

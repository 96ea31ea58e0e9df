public import Logging
public import ServiceLifecycle

/// `ledger project NAME` as a swift-service-lifecycle `Service`: projects to the head, then
/// follows it until graceful shutdown, committing the batch at hand first; closes the target.
public struct ProjectorService: Service {
    public let logDirectory: String
    public let target: any ProjectionTarget
    public let configuration: ProjectorConfiguration
    public let logger: Logger
    public let onProgress: (@Sendable (ProjectorProgress) -> Void)?

    public init(logDirectory: String, target: any ProjectionTarget, configuration: ProjectorConfiguration = .init(), logger: Logger,
                onProgress: (@Sendable (ProjectorProgress) -> Void)? = nil) {
        self.logDirectory = logDirectory
        self.target = target
        self.configuration = configuration
        self.logger = logger
        self.onProgress = onProgress
    }

    public func run() async throws {
        let projector = Projector(logDirectory: logDirectory, target: target, configuration: configuration, logger: logger)
        projector.onProgress = onProgress
        do {
            try await projector.run()
        } catch {
            await target.close()
            throw error
        }
        await target.close()
    }
}

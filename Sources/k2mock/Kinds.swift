import ArgumentParser
import K2Sandbox

/// `k2mock kinds`: every resource kind served, its endpoints, stages, default timeline and
/// callback, as the Markdown table the README carries.
struct Kinds: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List the resource kinds served: endpoints, stages, default timelines, callbacks (Markdown).")

    func run() {
        print(KindTable.markdown())
    }
}

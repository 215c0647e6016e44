@testable import K2Sandbox
import OrderedJSON
import Testing

@Suite struct ResourceStoreTests {
    private func created(_ kind: ResourceKind, _ body: String, id: String) throws -> StoredResource {
        let definition = try #require(KindRegistry.standard.definition(of: kind))
        var context = CreationContext(now: Timestamp(milliseconds: 0), ids: IdentifierSource(seed: 1), store: ResourceStore(),
                                      transactions: TransactionLog(), kinds: .standard)
        let record = try definition.init(request: try #require(JSON.parse(Array(body.utf8)).objectValue), context: &context)
        return StoredResource(kind: kind, id: id, created: .init(
            record: record, lifecycle: Lifecycle(createdAt: Timestamp(milliseconds: 0), timeline: [], initial: definition.stages.first),
            origin: Origin(url: "http://h", version: 1, clientID: "c"), plan: .builtIn))
    }

    @Test func findsByIdCaseInsensitivelyAndByReference() throws {
        var store = ResourceStore()
        let wallet = try created(MerchantWallet.kind, #"{"phone_number":"0712345678"}"#, id: "AB-1")
        store.insert(wallet)
        #expect(store.find(MerchantWallet.kind, "ab-1")?.id == "AB-1")
        let reference = try #require(wallet.created?.record.references.first)
        #expect(store.find(MerchantWallet.kind, reference.uppercased())?.id == "AB-1")
        #expect(store.find(MerchantBankAccount.kind, "ab-1") == nil, "kinds do not mix")
    }

    @Test func keepsCreationOrderPerKindAndRerendersOnUpdate() throws {
        var store = ResourceStore()
        for id in ["s2", "s1", "s3"] {
            store.insert(try created(WebhookSubscription.kind, #"{"event_type":"customer_created","url":"https://h/\#(id)","scope":"company"}"#, id: id))
        }
        #expect(store.created(WebhookSubscription.kind).map(\.id) == ["s2", "s1", "s3"])
        store.insert(try created(Reversal.kind, #"{"transaction_reference":"X"}"#, id: "r"))
        let key = ResourceKey(kind: Reversal.kind, id: "r")
        let before = try #require(store[key]).body
        #expect(store.update(key) { created in
            created.lifecycle = Lifecycle(createdAt: Timestamp(milliseconds: 0),
                                          timeline: [TimelineStep(after: .zero, stage: .processed)], initial: .pending)
            created.lifecycle.reach(0, at: Timestamp(milliseconds: 5000))
        })
        #expect(try #require(store[key]).body != before)
        #expect(String(decoding: try #require(store[key]).body.body(selfURL: ""), as: UTF8.self).contains(#""status":"Processed""#))
        #expect(!store.update(ResourceKey(kind: Reversal.kind, id: "none")) { _ in })
    }

    @Test func keepsTheLatestBodiesOnlyAndRendersAChangedOneAgain() throws {
        var store = ResourceStore()
        let count = ResourceStore.cacheLimit + 10, fresh = count  // r<fresh>… are read only at the end
        for index in 0..<(count + ResourceStore.cacheLimit) {
            store.insert(try created(Reversal.kind, #"{"transaction_reference":"X\#(index)"}"#, id: "r\(index)"))
        }
        let first = ResourceKey(kind: Reversal.kind, id: "r0")
        let pendingBody = store.body(first)
        let pending = try #require(pendingBody)
        // Read past the limit: the first body is no longer kept, and is rendered the same again.
        for index in 1..<count { _ = store.body(ResourceKey(kind: Reversal.kind, id: "r\(index)")) }
        #expect(store.keptBodies <= ResourceStore.cacheLimit)
        let again = store.body(first)
        #expect(again == pending)
        // A kept body is dropped when its resource changes.
        #expect(store.update(first) { created in
            created.lifecycle = Lifecycle(createdAt: Timestamp(milliseconds: 0),
                                          timeline: [TimelineStep(after: .zero, stage: .processed)], initial: .pending)
            created.lifecycle.reach(0, at: Timestamp(milliseconds: 5000))
        })
        let processedBody = store.body(first)
        let processed = try #require(processedBody)
        #expect(processed != pending)
        #expect(String(decoding: processed.body(selfURL: ""), as: UTF8.self).contains(#""status":"Processed""#))
        // Kept again after its change, it sits in the ring twice; reading the limit less one
        // bodies never read before reaches its older place, which must not push it out.
        for index in 0..<(ResourceStore.cacheLimit - 1) {
            _ = store.body(ResourceKey(kind: Reversal.kind, id: "r\(fresh + index)"))
        }
        #expect(store.keptBody(first) == processed)
    }

    @Test func sharesRepeatedStringsUpToItsLimit() {
        var pool = StringPool()
        let url = "https://shop.example.com/k2/callbacks"
        let first = pool.shared(String(url))
        let second = pool.shared(String(url.utf8.map { Character(Unicode.Scalar($0)) }))
        #expect(first == second)
        #expect(first.utf8.withContiguousStorageIfAvailable { $0.baseAddress }
            == second.utf8.withContiguousStorageIfAvailable { $0.baseAddress }, "one copy kept")
        for index in 0..<(StringPool.limit + 5) { _ = pool.shared("https://example.com/never/\(index)") }
        #expect(pool.count == StringPool.limit)
    }

    @Test func fixturesAreServedAsLoadedAndNeverChange() throws {
        let fixture = try Scenario.Fixture(path: "f.json", bytes: Array(#"{"data":{"id":"F","type":"payment","attributes":{"status":"Odd"}}}"#.utf8))
        var store = ResourceStore(fixtures: [fixture])
        let key = ResourceKey(kind: Payment.kind, id: "f")
        #expect(store[key]?.created == nil)
        #expect(!store.update(key) { _ in })
        #expect(store.created(Payment.kind).isEmpty)
    }
}

@Suite struct KindRegistryTests {
    @Test func everyShippedKindWithStagesHasItsDefaultTimelineInTheDefaultScenario() {
        for definition in KindRegistry.standard.definitions where !definition.stages.isEmpty {
            let timeline = DefaultScenario.timelines.defaults[definition.kind]
            #expect(timeline?.isEmpty == false, "scenarios/default.yaml lacks a timeline for \(definition.kind)")
            #expect(timeline?.first?.stage == definition.stages.first)
        }
    }

    @Test func collectionsAndRoutesAreUniqueAndFinalStagesAreStages() {
        var routes = Set<String>()
        for definition in KindRegistry.standard.definitions {
            #expect(definition.finalStages.isSubset(of: Set(definition.stages)))
            for version in definition.versions {
                #expect(routes.insert("\(version)/\(definition.collection)").inserted, "\(definition.collection) twice")
            }
        }
    }

    @Test func addingAKindTwiceKeepsTheLaterAndTheOrder() {
        let registry = KindRegistry.standard.adding(Payment.self)
        #expect(registry.definitions.count == KindRegistry.standard.definitions.count)
        #expect(registry.definitions.last?.kind == Payment.kind)
        #expect(registry.definition(of: ResourceKind("voucher")) == nil)
    }
}

/// The resource kinds a sandbox serves: the one list that the router, the store, the lifecycle
/// engine, the scenario loader and the README's table of kinds are driven by. Adding a kind is
/// one file under `Kinds/` and one line in `standard`.
public struct KindRegistry: Sendable {
    /// The kinds, in the order they are listed (and documented).
    public let definitions: [any ResourceDefinition.Type]
    private let byKind: [ResourceKind: any ResourceDefinition.Type]

    /// Every K2 kind k2mock serves.
    public static let standard = KindRegistry([
        Payment.self,
        SendMoney.self,
        IncomingPayment.self,
        PayRecipient.self,
        ExternalRecipient.self,
        WebhookSubscription.self,
        MerchantBankAccount.self,
        MerchantWallet.self,
        SettlementTransfer.self,
        Polling.self,
        TransactionSMSNotification.self,
        Reversal.self,
        PaymentLink.self,
    ])

    /// A registry of `definitions`; a later one replaces an earlier one of the same kind.
    public init(_ definitions: [any ResourceDefinition.Type]) {
        var byKind: [ResourceKind: any ResourceDefinition.Type] = [:]
        var ordered: [any ResourceDefinition.Type] = []
        for definition in definitions {
            if byKind[definition.kind] != nil { ordered.removeAll { $0.kind == definition.kind } }
            byKind[definition.kind] = definition
            ordered.append(definition)
        }
        self.definitions = ordered
        self.byKind = byKind
    }

    /// This registry with `definition` added (or replacing the kind it defines).
    public func adding(_ definition: any ResourceDefinition.Type) -> KindRegistry {
        KindRegistry(definitions + [definition])
    }

    /// The definition of `kind`, if this registry has it.
    public func definition(of kind: ResourceKind) -> (any ResourceDefinition.Type)? {
        byKind[kind]
    }

    /// The kinds that have a timeline, by the names scenario files use for them.
    public var timelineKinds: [ResourceKind] {
        definitions.filter { !$0.stages.isEmpty }.map { $0.kind }
    }
}

extension ResourceDefinition {
    /// `/api/vN/<collection>/<id>`.
    public static func path(id: String, version: Int) -> String {
        "/api/v\(version)/\(collection)/\(id)"
    }
}

/// The resource classes `AuthorizeAccess` knows, by name.
///
/// The built-ins (``ResourceClass/standard`` and ``ResourceClass/healthDocument``)
/// are always there unless a configured class of the same name replaces
/// them; configured classes with other names are added.
public struct ResourceClassCatalog: Sendable, Hashable {
    /// The classes that exist unless overridden by name.
    public static let builtIns: [ResourceClass] = [.standard, .healthDocument]

    private let classes: [String: ResourceClass]

    /// The built-ins only.
    public init() {
        classes = Dictionary(uniqueKeysWithValues: ResourceClassCatalog.builtIns.map { ($0.name, $0) })
    }

    /// The built-ins, replaced or extended by `configured`.
    /// - Throws: ``ResourceClassError/duplicateName(_:)`` if `configured`
    ///   names one class twice.
    public init(_ configured: [ResourceClass]) throws(ResourceClassError) {
        var byName = ResourceClassCatalog().classes
        var seen: Set<String> = []
        for c in configured {
            guard seen.insert(c.name).inserted else { throw .duplicateName(c.name) }
            byName[c.name] = c
        }
        classes = byName
    }

    /// The class called `name` (exact, case-sensitive match), if any.
    public func resourceClass(named name: String) -> ResourceClass? {
        classes[name]
    }

    /// Every class name, sorted.
    public var names: [String] { classes.keys.sorted() }
}

import RiegelCore

extension RiegelConfig {
    /// The catalog `AuthorizeAccess` decides with: the built-in classes,
    /// replaced or extended by `[resource_class.NAME]`.
    ///
    /// - Throws: ``ResourceClassError`` for a class the config check should
    ///   already have refused (a bad name or max age).
    public func resourceClassCatalog() throws -> ResourceClassCatalog {
        try ResourceClassCatalog(resourceClasses.keys.sorted().map { name in
            let c = resourceClasses[name]!
            return try ResourceClass(name: name, needsSecondFactor: c.secondFactor,
                                     secondFactorMaxAge: c.secondFactorMaxAge?.seconds)
        })
    }
}

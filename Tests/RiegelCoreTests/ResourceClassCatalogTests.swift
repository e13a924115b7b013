import RiegelCore
import Testing

/// Built-in resource classes, overrides by name, added classes and the naming rule.
struct ResourceClassCatalogTests {
    @Test func builtInsAreStandardAndHealthDocumentWithTenMinutes() throws {
        let c = ResourceClassCatalog()
        #expect(c.names == ["health_document", "standard"])
        #expect(c.resourceClass(named: "standard")?.needsSecondFactor == false)
        let health = try #require(c.resourceClass(named: "health_document"))
        #expect(health.needsSecondFactor)
        #expect(health.secondFactorMaxAge == 600)
    }

    @Test func configuredClassReplacesABuiltInByNameAndOthersAreAdded() throws {
        let c = try ResourceClassCatalog([
            ResourceClass(name: "health_document", needsSecondFactor: true, secondFactorMaxAge: 120),
            ResourceClass(name: "claims", needsSecondFactor: false),
        ])
        #expect(c.names == ["claims", "health_document", "standard"])
        #expect(c.resourceClass(named: "health_document")?.secondFactorMaxAge == 120)
        #expect(c.resourceClass(named: "standard") == .standard)
    }

    @Test func oneNameTwiceIsRefused() throws {
        let a = try ResourceClass(name: "claims", needsSecondFactor: false)
        #expect(throws: ResourceClassError.duplicateName("claims")) { try ResourceClassCatalog([a, a]) }
    }

    @Test func namesAreLowercaseASCIIWordsOfAtMost64Characters() throws {
        for good in ["standard", "health_document", "x", "claims.v2", "lab-results", String(repeating: "a", count: 64)] {
            #expect(ResourceClass.isValidName(good), "\(good)")
        }
        for bad in ["", "Health", "1st", "_x", "a b", "a\u{0}", "a\nb", "dokument\u{E4}", "a\u{202E}",
                    String(repeating: "a", count: 65)] {
            #expect(!ResourceClass.isValidName(bad), "\(bad.debugDescription)")
            #expect(throws: ResourceClassError.self) { try ResourceClass(name: bad, needsSecondFactor: false) }
        }
    }

    @Test func nameProblemNeverRepeatsTheName() throws {
        let problem = try #require(ResourceClass.nameProblem("evil\nname"))
        #expect(!problem.contains("evil"))
    }

    @Test func maxAgeMustBePositiveAndFinite() {
        for age in [0, -1, Double.infinity, Double.nan] {
            #expect(throws: ResourceClassError.invalidMaxAge(name: "claims")) {
                try ResourceClass(name: "claims", needsSecondFactor: true, secondFactorMaxAge: age)
            }
        }
    }
}

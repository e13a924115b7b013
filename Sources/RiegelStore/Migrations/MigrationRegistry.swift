import GRDB

/// The ordered list of schema migrations.
enum MigrationRegistry {
    /// Every migration, oldest first. Append new ones at the end.
    static let all: [any StoreMigration.Type] = [
        V1Keys.self,
        V2Accounts.self,
        V3Sessions.self,
        V4Throttle.self,
        V5Audit.self,
        V6SMS.self,
        V7Devices.self,
        V8CredentialGeneration.self,
        V9CredentialProvenance.self,
        V10KeyRewrap.self,
        V11AccountListing.self,
        V12AuditSignatures.self,
        V13Factors.self,
        V14SMSSendBuckets.self,
    ]

    /// A migrator that knows every migration in ``all``.
    static func migrator(_ migrations: [any StoreMigration.Type] = all) -> DatabaseMigrator {
        var migrator = DatabaseMigrator()
        for migration in migrations {
            migrator.registerMigration(migration.identifier, foreignKeyChecks: .immediate) { db in
                try migration.migrate(db)
            }
        }
        return migrator
    }
}

/// Every PostgreSQL migration of this build, oldest first.
enum PostgresMigrations {
    static let all: [PostgresMigration] = [
        PGAccounts.migration, PGSessions.migration, PGThrottle.migration, PGKeys.migration, PGSMS.migration,
        PGFactors.migration, PGAudit.migration, PGSessionChanges.migration, PGSMSSendBuckets.migration,
    ]
}

import GRDB

/// `v9-credential-provenance`: how a session's second factor was last proven,
/// and which session (and device) enrolled an app key.
///
/// - `session.second_factor_method`: `sms`, `trusted_device` or
///   `device_key` (raw values of `AuthenticationMethod`), NULL while the
///   session has no second factor. Credential changes need `sms` or
///   `device_key` (`CredentialChangeRule`). Existing rows are filled from
///   what is known: a session at `second_factor` opened by a password (so
///   raised by an SMS step-up or phone enrolment) is `sms`; one opened by SMS,
///   a trusted device or a device key takes that method. A trusted-device
///   session raised by SMS before this migration stays `trusted_device`
///   (fail closed: it steps up once more).
/// - `device.enrolled_by_session`, `device.enrolled_from_device`: for an app
///   key, the session that enrolled it and the device that session came from
///   (NULL if none, and for browsers and keys enrolled before this
///   migration). A replayed browser token revokes the keys enrolled from its
///   device's sessions, and the keys enrolled from those, and so on. Plain
///   references, not foreign keys (sessions and devices are swept).
enum V9CredentialProvenance: StoreMigration {
    static let identifier = "v9-credential-provenance"

    static func migrate(_ db: Database) throws {
        try db.execute(sql: """
            ALTER TABLE session ADD COLUMN second_factor_method TEXT
                CHECK (second_factor_method IN ('sms', 'trusted_device', 'device_key'));
            UPDATE session SET second_factor_method =
                CASE method WHEN 'password' THEN 'sms' ELSE method END
                WHERE assurance = 'second_factor';

            ALTER TABLE device ADD COLUMN enrolled_by_session TEXT;
            ALTER TABLE device ADD COLUMN enrolled_from_device TEXT;
            """)
    }
}

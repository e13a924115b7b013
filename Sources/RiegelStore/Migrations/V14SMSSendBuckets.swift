import GRDB

/// `v14-sms-send-buckets`: `sms_send_window.sends` holds the send caps'
/// windows as bucket counts (`{"width": <seconds>, "buckets": [[<index>,
/// <count>], …]}`, ``SMSSendWindow``) instead of one entry per send
/// (`{"sends": [{"secondsSinceEpoch": …}, …]}`), so a send's cost no longer
/// grows with the cap (issue 18).
///
/// Rows in the old format are converted here, into buckets of 60 s (the
/// default `cap_window` of an hour in 60 buckets): each send goes to the
/// bucket `⌊t / 60⌋` that holds it, so no send counts for less long than
/// before. A daemon with another `cap_window` moves them into its own width at
/// their first use (again by each bucket's end). Reading the old format stays
/// possible (a row written by an older instance on the same PostgreSQL
/// database; here, a row written behind the daemon's back), but an older
/// build cannot read the new one: the migration makes it refuse the database
/// (`newerSchema`) instead of failing every SMS send.
enum V14SMSSendBuckets: StoreMigration {
    static let identifier = "v14-sms-send-buckets"

    static func migrate(_ db: Database) throws {
        // Times are after 1970, so CAST (truncation) is the floor.
        try db.execute(sql: """
            UPDATE sms_send_window
            SET sends = (
                SELECT json_object('width', 60.0,
                                   'buckets', json(coalesce(json_group_array(json_array(b.idx, b.n)), '[]')))
                FROM (
                    SELECT CAST(json_extract(e.value, '$.secondsSinceEpoch') / 60.0 AS INTEGER) AS idx, count(*) AS n
                    FROM json_each(sms_send_window.sends, '$.sends') AS e
                    GROUP BY idx ORDER BY idx
                ) AS b
            )
            WHERE json_type(sends, '$.sends') = 'array'
            """)
    }
}

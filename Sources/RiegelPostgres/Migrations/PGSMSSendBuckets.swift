/// `pg-9-sms-send-buckets`: `sms_send_window.sends` holds bucket counts
/// instead of one entry per send, as SQLite's `v14-sms-send-buckets` (see
/// there and `docs/at-rest-formats.md`): old rows become buckets of 60 s,
/// each send in the bucket `⌊t / 60⌋` that holds it.
///
/// In a rolling upgrade an instance of the older build may still write rows
/// of the old format after this ran: the new build reads them (in buckets of
/// 1 s, moved to its own width at their first use). The older instances
/// cannot read the new rows: their SMS sends fail (a corrupt-record error;
/// no message goes out) until they are upgraded too.
enum PGSMSSendBuckets {
    static let migration = PostgresMigration(name: "pg-9-sms-send-buckets", sql: """
        UPDATE sms_send_window
        SET sends = (
            SELECT json_build_object('width', 60.0,
                                     'buckets', coalesce(json_agg(json_build_array(b.idx, b.n) ORDER BY b.idx),
                                                         '[]'::json))::text
            FROM (
                SELECT floor((e ->> 'secondsSinceEpoch')::double precision / 60)::bigint AS idx, count(*) AS n
                FROM json_array_elements(sms_send_window.sends::json -> 'sends') AS e
                GROUP BY 1
            ) AS b
        )
        WHERE json_typeof(sends::json -> 'sends') = 'array';
        """)
}

-- Partner signals of the quarter being built: every signal whose signaaldatum lies in the
-- quarter, from whichever landing quarter delivered it (a signal may be delivered late, in a
-- later quarter's landing). A signal delivered more than once (same partner_code +
-- signaal_id) is kept once: the row of the latest landing quarter, then file, then line.
{{ partner_signals(quarter_start(), quarter_end()) }}

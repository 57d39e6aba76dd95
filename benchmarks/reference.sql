-- Bare reference for the national benchmark (issue 9): the core linkage and aggregation of
-- the quarterly refresh in one DuckDB script, on the same landing CSVs as the pipeline.
--
-- Run by `python -m benchmarks.reference_duckdb LANDING OUT` (it substitutes ${LANDING}, the
-- quarter's landing folder, and ${OUT}, the output Parquet file). Only what the monitor's
-- headline counts need, nothing of what makes the pipeline a pipeline: no validation or
-- quarantine, no pseudonyms, no audit trail, no fallback matching rules, no personas,
-- outcomes or benefit spells, no disclosure control, no checks, no publication.
--
--   1. read the ten partners' signal files (each partner's own header; encoding and
--      delimiter given), keep one row per partner + signal id
--   2. normalise minimally: postcode upper case without spaces; house number = its leading
--      digits; suffix = letter + addition + whatever followed the digits, upper case,
--      separators removed ('NULL' and '-' mean empty)
--   3. match to BAG on postcode + house number: the one address with the same suffix, else
--      (signal without suffix) the one residential address at that number
--   4. households = residential addresses with at least one BRP resident
--   5. per buurt, wijk and gemeente: households, signalled households, signals
SET preserve_insertion_order = false;

CREATE MACRO empty_as_blank(x) AS
    CASE WHEN x IS NULL OR upper(trim(x)) IN ('', 'NULL', '-') THEN '' ELSE x END;
CREATE MACRO clean_suffix(x) AS regexp_replace(upper(x), '[^A-Z0-9]', '', 'g');

CREATE TEMP TABLE signal_rows AS
SELECT 'eneco' AS partner, referentie AS signaal_id, postcode, huisnr AS nummer,
       NULL AS letter, toev AS toevoeging
FROM read_csv('${LANDING}/eneco/*.csv', all_varchar = true, normalize_names = true, delim = ';')
UNION ALL
SELECT 'vattenfall', signalid, zipcode, housenumber, NULL, NULL
FROM read_csv('${LANDING}/vattenfall/*.csv', all_varchar = true, normalize_names = true, delim = ',')
UNION ALL
SELECT 'waternet', signaalnummer, postcode, huisnummer, huisletter, toevoeging
FROM read_csv('${LANDING}/waternet/*.csv', all_varchar = true, normalize_names = true, delim = ';',
              encoding = 'latin-1')
UNION ALL
SELECT 'vitens', melding, pc, nr, NULL, NULL
FROM read_csv('${LANDING}/vitens/*.csv', all_varchar = true, normalize_names = true, delim = '\t')
UNION ALL
SELECT 'ymere', dossiernummer, postcode, huisnummer, huisletter, huisnummertoevoeging
FROM read_csv('${LANDING}/ymere/*.csv', all_varchar = true, normalize_names = true, delim = ';',
              encoding = 'latin-1')
UNION ALL
SELECT 'eigen_haard', kenmerk, postcode, adres_nummer, NULL, NULL
FROM read_csv('${LANDING}/eigen_haard/*.csv', all_varchar = true, normalize_names = true, delim = ',')
UNION ALL
SELECT 'zilveren_kruis', signaal_id, postcode, huisnummer, huisletter, toevoeging
FROM read_csv('${LANDING}/zilveren_kruis/*.csv', all_varchar = true, normalize_names = true, delim = ';')
UNION ALL
SELECT 'cz', id, postcode, huisnummer, NULL, NULL
FROM read_csv('${LANDING}/cz/*.csv', all_varchar = true, normalize_names = true, delim = '\t',
              encoding = 'latin-1')
UNION ALL
SELECT 'cak', zaaknummer, postcode, huisnummer, NULL, toevoeging
FROM read_csv('${LANDING}/cak/*.csv', all_varchar = true, normalize_names = true, delim = ',')
UNION ALL
SELECT 'duo', signaal, pc, huisnr, NULL, NULL
FROM read_csv('${LANDING}/duo/*.csv', all_varchar = true, normalize_names = true, delim = '\t');

CREATE TEMP TABLE signals AS
SELECT
    partner,
    signaal_id,
    upper(replace(trim(any_value(postcode)), ' ', '')) AS postcode,
    try_cast(regexp_extract(trim(any_value(nummer)), '^[0-9]+') AS INTEGER) AS huisnummer,
    clean_suffix(
        empty_as_blank(any_value(letter)) || empty_as_blank(any_value(toevoeging))
        || regexp_replace(trim(any_value(nummer)), '^[0-9]+', '')
    ) AS suffix
FROM signal_rows
GROUP BY partner, signaal_id;

CREATE TEMP TABLE bag AS
SELECT
    adres_id,
    upper(replace(trim(postcode), ' ', '')) AS postcode,
    try_cast(huisnummer AS INTEGER) AS huisnummer,
    clean_suffix(empty_as_blank(huisletter) || empty_as_blank(huisnummertoevoeging)) AS suffix,
    nullif(upper(trim(buurtcode)), '') AS buurtcode,
    upper(trim(gemeentecode)) AS gemeentecode,
    gebruiksdoel ILIKE '%woonfunctie%' AS wonen
FROM read_csv('${LANDING}/bag_adressen/*.csv', all_varchar = true, delim = ';');

CREATE TEMP TABLE areas AS
SELECT upper(trim(code)) AS code, nullif(upper(trim(parent_code)), '') AS parent
FROM read_csv('${LANDING}/wijken_buurten/*.csv', all_varchar = true, delim = ';');

CREATE TEMP TABLE households AS
WITH residents AS (
    SELECT adres_id
    FROM read_csv('${LANDING}/brp_personen/*.csv', all_varchar = true, delim = ',')
    GROUP BY adres_id
)
SELECT
    bag.adres_id,
    buurt.code AS buurtcode,
    buurt.parent AS wijkcode,
    coalesce(wijk.parent, bag.gemeentecode) AS gemeentecode
FROM bag
JOIN residents USING (adres_id)
LEFT JOIN areas AS buurt ON buurt.code = bag.buurtcode
LEFT JOIN areas AS wijk ON wijk.code = buurt.parent
WHERE bag.wonen;

CREATE TEMP TABLE matched AS
WITH candidates AS (
    SELECT
        s.partner,
        s.signaal_id,
        count(*) FILTER (WHERE b.suffix = s.suffix) AS n_same,
        min(b.adres_id) FILTER (WHERE b.suffix = s.suffix) AS adres_same,
        count(*) FILTER (WHERE s.suffix = '' AND b.wonen) AS n_wonen,
        min(b.adres_id) FILTER (WHERE s.suffix = '' AND b.wonen) AS adres_wonen
    FROM signals AS s
    JOIN bag AS b ON b.postcode = s.postcode AND b.huisnummer = s.huisnummer
    GROUP BY s.partner, s.signaal_id
)
SELECT
    partner,
    signaal_id,
    CASE WHEN n_same = 1 THEN adres_same WHEN n_same = 0 AND n_wonen = 1 THEN adres_wonen END
        AS adres_id
FROM candidates;

CREATE TEMP TABLE signalled AS
SELECT h.buurtcode, h.wijkcode, h.gemeentecode, m.adres_id, count(*) AS signalen
FROM matched AS m
JOIN households AS h USING (adres_id)
GROUP BY ALL;

COPY (
    WITH per_household AS (
        SELECT h.buurtcode, h.wijkcode, h.gemeentecode,
               coalesce(s.signalen, 0) AS signalen
        FROM households AS h
        LEFT JOIN signalled AS s USING (adres_id)
    ),
    per_combination AS (
        SELECT buurtcode, wijkcode, gemeentecode,
               count(*) AS huishoudens,
               count(*) FILTER (WHERE signalen > 0) AS hh_met_signaal,
               sum(signalen) AS signalen
        FROM per_household
        GROUP BY ALL
    )
    SELECT 'buurt' AS area_level, buurtcode AS area_code,
           sum(huishoudens)::BIGINT AS huishoudens, sum(hh_met_signaal)::BIGINT AS hh_met_signaal,
           sum(signalen)::BIGINT AS signalen
    FROM per_combination WHERE buurtcode IS NOT NULL GROUP BY ALL
    UNION ALL
    SELECT 'wijk', wijkcode,
           sum(huishoudens)::BIGINT, sum(hh_met_signaal)::BIGINT, sum(signalen)::BIGINT
    FROM per_combination WHERE wijkcode IS NOT NULL GROUP BY ALL
    UNION ALL
    SELECT 'gemeente', gemeentecode,
           sum(huishoudens)::BIGINT, sum(hh_met_signaal)::BIGINT, sum(signalen)::BIGINT
    FROM per_combination WHERE gemeentecode IS NOT NULL GROUP BY ALL
) TO '${OUT}' (FORMAT parquet);

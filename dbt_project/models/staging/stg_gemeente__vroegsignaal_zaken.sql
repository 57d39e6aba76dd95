-- Cases after a signal. A case is often opened or closed after the quarter of its signal, so
-- every landing quarter up to the quarter being built is read and the most recent version of
-- each case (partner_code + signaal_id) is kept: the row of the latest landing quarter, then
-- file, then line. No later landing: the outcomes of a quarter are counted once, from the
-- extracts up to the quarter after it (fct_huishouden_uitkomsten), and a rebuild of a quarter
-- after a later one has landed reads the same extracts as its first build.
select
    {{ quarter_literal() }} as quarter,
    quarter as landing_quarter,
    partner_code,
    signaal_id,
    matchingsdatum,
    nullif(lower(trim(resultaat)), '') as resultaat,
    aantal_contactpogingen,
    coalesce(bereikt, false) as bereikt,
    datum_eerste_contact
from {{ source('raw', 'vroegsignaal_zaken') }}
where quarter <= {{ quarter_literal() }}
qualify row_number() over (
    partition by partner_code, signaal_id
    order by quarter desc, file_name desc, line_number desc
) = 1

-- A region of seeds/regio_indeling.csv has one code and one name (per kind of region): the
-- code is the published regio's area_code, the name its area_name.
select regiosoort, regiocode, regio
from {{ ref('regio_indeling') }}
where (regiosoort, regiocode) in (
    select (regiosoort, regiocode) from {{ ref('regio_indeling') }}
    group by all having count(distinct regio) > 1
) or (regiosoort, regio) in (
    select (regiosoort, regio) from {{ ref('regio_indeling') }}
    group by all having count(distinct regiocode) > 1
)

-- How the quarter's signals matched to BAG, per partner and match status (for Dagster
-- metadata and the operator). n_signalen: signals with this status; n_huishouden: those of
-- them linked to a household (matched to a residential address with residents).
select
    quarter,
    partner_code,
    match_status,
    cast(count(*) as bigint) as n_signalen,
    cast(count(huishouden_id) as bigint) as n_huishouden
from {{ ref('int_signalen_matched_to_adressen') }}
group by quarter, partner_code, match_status

-- The cohort's hh_met_signaal and hh_hulp_geaccepteerd (mon_area_counts_cohort_zes_maanden)
-- are, area by area, the counts published before for the cohort's quarter: hh_met_signaal as
-- mon_area_counts has it, hh_hulp_geaccepteerd as mon_area_counts_kwartaal_afgerond has it
-- (the outcomes known a quarter later), which disclosure control requires them to repeat
-- exactly.
{{ config(meta={'dagster': {'ref': {'name': 'mon_area_counts_cohort_zes_maanden'}}}) }}
select
    cohort.period,
    cohort.area_code,
    cohort.hh_met_signaal,
    counts.hh_met_signaal as counted,
    cohort.hh_hulp_geaccepteerd,
    later.hh_hulp_geaccepteerd as counted_hulp
from {{ ref('mon_area_counts_cohort_zes_maanden') }} as cohort
left join {{ ref('mon_area_counts') }} as counts
    on counts.quarter = cohort.period
    and counts.area_code = cohort.area_code
left join {{ ref('mon_area_counts_kwartaal_afgerond') }} as later
    on later.period = cohort.period
    and later.area_code = cohort.area_code
where cohort.quarter = {{ quarter_literal() }}
  and (
    counts.hh_met_signaal is distinct from cohort.hh_met_signaal
    or later.hh_hulp_geaccepteerd is distinct from cohort.hh_hulp_geaccepteerd
  )

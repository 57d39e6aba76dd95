-- The cohort's hh_met_signaal (mon_area_counts_cohort_zes_maanden) is, area by area, the count
-- mon_area_counts has for the cohort's quarter: the figure published with that quarter, which
-- disclosure control requires it to repeat exactly.
{{ config(meta={'dagster': {'ref': {'name': 'mon_area_counts_cohort_zes_maanden'}}}) }}
select cohort.period, cohort.area_code, cohort.hh_met_signaal, counts.hh_met_signaal as counted
from {{ ref('mon_area_counts_cohort_zes_maanden') }} as cohort
left join {{ ref('mon_area_counts') }} as counts
    on counts.quarter = cohort.period
    and counts.area_code = cohort.area_code
where cohort.quarter = {{ quarter_literal() }}
  and counts.hh_met_signaal is distinct from cohort.hh_met_signaal

-- The persona of every signalled household: the first rule that holds, in the order of
-- MONITOR.md, with the ages and thresholds of seeds/persona_parameters.csv and the benefit
-- codes of the dbt vars persona_regelingen_minimum / persona_regelingen_zelfstandige.
--   jonge_starter        oldest resident jonge_starter_min..jonge_starter_max (18-27), no minors
--   groot_gezin_minimum  groot_gezin_min_minderjarigen (3)+ minors and a participatiewet or
--                        ioaw benefit (any resident, spell overlapping the quarter)
--   senior               oldest resident aow_leeftijd (67) or older
--   zelfstandige         a bbz spell (any resident, overlapping the quarter)
--   student              every resident student_min..student_max (17-25), no benefit of any
--                        kind overlapping the quarter
--   overig               everything else
-- Minors: residents younger than minderjarig_tot (18). Ages at the quarter's last day.
-- A view: the household's features with its persona, which fct_huishouden_signalen stores (no
-- table of personas to write and join back to the features).
{{ config(materialized='view') }}
select
    kenmerken.*,
    case
        when kenmerken.leeftijd_oudste between parameters.jonge_starter_min and parameters.jonge_starter_max
            and kenmerken.n_minderjarigen = 0
            then 'jonge_starter'
        when kenmerken.n_minderjarigen >= parameters.groot_gezin_min_minderjarigen
            and kenmerken.minimumuitkering_in_kwartaal
            then 'groot_gezin_minimum'
        when kenmerken.leeftijd_oudste >= parameters.aow_leeftijd
            then 'senior'
        when kenmerken.bbz_in_kwartaal
            then 'zelfstandige'
        when kenmerken.leeftijd_jongste >= parameters.student_min
            and kenmerken.leeftijd_oudste <= parameters.student_max
            and not kenmerken.uitkering_in_kwartaal
            then 'student'
        else 'overig'
    end as persona
from {{ ref('int_huishouden_kenmerken') }} as kenmerken
cross join {{ ref('int_persona_parameters') }} as parameters

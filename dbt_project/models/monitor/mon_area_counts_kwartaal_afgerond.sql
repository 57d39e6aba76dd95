-- Restricted wide table of the period type kwartaal_afgerond (seeds/periods.csv): the quarter
-- before the quarter being built (period '2026Q2' in the build of 2026Q3), with the outcomes
-- of its signalled households as known one quarter later (fct_huishouden_uitkomsten;
-- macros/period_counts.sql). Its hh_met_signaal is the one mon_area_counts counted for that
-- quarter (the singular test afgerond_repeats_its_quarter). No rows until that quarter is
-- built. Unsuppressed: input of disclosure control, never published as such.
{{ period_counts(1, 1) }}

-- Restricted wide table of the four-quarter period ("voortschrijdend jaar") ending with the
-- quarter being built: the same columns as mon_area_counts plus period ('2025Q4-2026Q3'), for
-- the period type vier_kwartalen (macros/period_counts.sql says how each count adds up over
-- the quarters). Its outcome counts are not published (the period type does not carry them:
-- the cases of the quarter being built are still open); mon_area_counts_vier_kwartalen_afgerond
-- has them one quarter later. Unsuppressed: input of disclosure control, never published as
-- such.
{{ period_counts(4, 0) }}

-- Restricted wide table of the period type vier_kwartalen_afgerond (seeds/periods.csv): the
-- four quarters ending with the quarter before the quarter being built ('2025Q3-2026Q2' in the
-- build of 2026Q3), with the outcomes of each quarter as known one quarter after it
-- (fct_huishouden_uitkomsten; macros/period_counts.sql). No rows until the four quarters are
-- built and their outcomes known. Unsuppressed: input of disclosure control, never published
-- as such.
{{ period_counts(4, 1) }}

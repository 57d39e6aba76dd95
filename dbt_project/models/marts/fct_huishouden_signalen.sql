-- Restricted household-level fact: one row per signalled household per quarter, with its
-- features and persona (int_huishouden_personas: the features of int_huishouden_kenmerken and
-- the persona). Kept per quarter (incremental strategy replace_quarter: a build replaces
-- exactly the quarter being built). Never published.
select *
from {{ ref('int_huishouden_personas') }}

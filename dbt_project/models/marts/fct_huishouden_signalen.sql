-- Restricted household-level fact: one row per signalled household per quarter, with its
-- features and persona (int_huishouden_personas: the features of int_huishouden_kenmerken and
-- the persona). Kept per quarter (the pre-hook deletes the quarter being built, so a build
-- replaces exactly that quarter). Never published.
select *
from {{ ref('int_huishouden_personas') }}

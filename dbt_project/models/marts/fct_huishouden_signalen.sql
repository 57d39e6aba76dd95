-- Restricted household-level fact: one row per signalled household per quarter, with its
-- features and persona. Kept per quarter (the pre-hook deletes the quarter being built, so a
-- build replaces exactly that quarter). Never published.
select
    kenmerken.*,
    personas.persona
from {{ ref('int_huishouden_kenmerken') }} as kenmerken
inner join {{ ref('int_huishouden_personas') }} as personas
    on personas.huishouden_id = kenmerken.huishouden_id

-- A partner's hh_met_signaal of kwartaal_afgerond (its households of the quarter before, with
-- their outcomes as known now) is, per gemeente, the one of that quarter's kwartaal rows: the
-- figure the partner's file of that quarter holds. The partner's disclosure control requires
-- a repeated cell to be the same figure.
select later.partner_code, later.period, later.area_code, later.value, own.value as own_value
from {{ ref('mon_partner_indicators') }} as later
left join {{ ref('mon_partner_indicators') }} as own
    on own.quarter = later.period
    and own.period_type = 'kwartaal'
    and own.partner_code = later.partner_code
    and own.area_code = later.area_code
    and own.indicator = later.indicator
where later.quarter = {{ quarter_literal() }}
  and later.period_type = 'kwartaal_afgerond'
  and later.indicator = 'hh_met_signaal'
  and own.value is distinct from later.value

{#- What the cases after a household's signals achieved: int_huishouden_kenmerken over the
    quarter's own cases (as known at the end of the quarter), fct_huishouden_uitkomsten over
    the cases of the quarter before (as known one quarter later). -#}

{#- The cases of stg_gemeente__vroegsignaal_zaken with what their outcome means. A case is
    picked up (opgepakt) unless its outcome says otherwise (seeds/resultaat_codes.csv:
    niet_opgepakt_*, geen_inwoner, inwoner_overleden); a case without an outcome yet is open,
    so picked up. Reached counts only on a picked-up case. -#}
{% macro case_outcomes() -%}
    select
        zaken.partner_code,
        zaken.signaal_id,
        zaken.resultaat,
        coalesce(codes.opgepakt, true) as opgepakt,
        zaken.bereikt and coalesce(codes.opgepakt, true) as bereikt,
        coalesce(codes.hulp_geaccepteerd, false) as hulp_geaccepteerd,
        codes.hulp_rang,
        zaken.aantal_contactpogingen,
        zaken.datum_eerste_contact
    from {{ ref('stg_gemeente__vroegsignaal_zaken') }} as zaken
    left join {{ ref('resultaat_codes') }} as codes
        on codes.resultaat = zaken.resultaat
{%- endmacro %}

{#- The aggregates per household over its signals (alias signalen) left-joined to
    case_outcomes() (alias zaken) on partner_code and signaal_id. -#}
{% macro household_case_aggregates() -%}
        count(zaken.signaal_id) as n_zaken,
        coalesce(bool_or(zaken.bereikt), false) as zaak_bereikt,
        coalesce(bool_or(zaken.hulp_geaccepteerd), false) as hulp_geaccepteerd,
        coalesce(bool_or(zaken.opgepakt), false) as opgepakt,
        -- the most intensive help accepted (hulp_rang 1 first)
        arg_min(zaken.resultaat, zaken.hulp_rang) filter (where zaken.hulp_geaccepteerd) as hulpsoort,
        coalesce(sum(zaken.aantal_contactpogingen) filter (where zaken.opgepakt), 0)
            as contactpogingen,
        min(zaken.datum_eerste_contact) filter (where zaken.bereikt) as eerste_contact
{%- endmacro %}

{#- The outcome columns of a signalled household from household_case_aggregates() (relation
    ``aggregates``) and the day of its first signal of the quarter (``first_day``): n_zaken,
    opgepakt, bereikt, hulp_geaccepteerd, hulpsoort, contactpogingen, dagen_tot_contact. -#}
{% macro household_case_columns(aggregates, first_day) -%}
    cast({{ aggregates }}.n_zaken as integer) as n_zaken,
    -- a case with help accepted is picked up, and accepting help implies being reached
    {{ aggregates }}.opgepakt,
    {{ aggregates }}.zaak_bereikt or {{ aggregates }}.hulp_geaccepteerd as bereikt,
    {{ aggregates }}.hulp_geaccepteerd,
    {{ aggregates }}.hulpsoort,
    cast({{ aggregates }}.contactpogingen as integer) as contactpogingen,
    -- days from the household's first signal of the quarter to the first contact of a case
    -- that reached it (NULL when none has a contact date)
    cast(date_diff('day', {{ first_day }}, {{ aggregates }}.eerste_contact) as integer)
        as dagen_tot_contact
{%- endmacro %}

{#- The columns of household_case_columns(): what fct_huishouden_uitkomsten holds of a
    household's outcome one quarter later, in place of those of fct_huishouden_signalen. -#}
{% macro outcome_columns() -%}
  {{ return(['n_zaken', 'opgepakt', 'bereikt', 'hulp_geaccepteerd', 'hulpsoort', 'contactpogingen',
             'dagen_tot_contact']) }}
{%- endmacro %}

{#- The select list of a household row of fct_huishouden_signalen (alias ``households``) with
    the outcome columns of its row of fct_huishouden_uitkomsten (alias ``outcomes``) in place
    of its own: the household as counted with its quarter, its outcomes as known a quarter
    later. -#}
{% macro with_later_outcomes(households, outcomes) -%}
{{ households }}.* replace (
            {%- for column in outcome_columns() %}
            {{ outcomes }}.{{ column }} as {{ column }}{{ ',' if not loop.last }}
            {%- endfor %}
        )
{%- endmacro %}

-- The persona parameters (seeds/persona_parameters.csv) as one wide row, so models read them
-- from the seed instead of hard-coding them.
{% set names = ['aow_leeftijd', 'minderjarig_tot', 'jonge_starter_min', 'jonge_starter_max',
                'groot_gezin_min_minderjarigen', 'student_min', 'student_max', 'bekend_maanden',
                'herhaald_maanden', 'schuldhulp_maanden'] %}
{{ config(materialized='view') }}
select
{%- for name in names %}
    max(value) filter (where parameter = '{{ name }}') as {{ name }}{{ ',' if not loop.last }}
{%- endfor %}
from {{ ref('persona_parameters') }}

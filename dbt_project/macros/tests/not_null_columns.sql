{#- Rows with a NULL in any of the columns: a model's required columns in one test instead of
    one `not_null` per column (dbt and Dagster pay about 0.04 s per test node, and a quarter's
    run had 123 of them; dbt_project/README.md). A failing row shows the columns, so the NULL
    is in sight. -#}
{% test not_null_columns(model, column_names) %}
select {{ column_names | join(', ') }}
from {{ model }}
where {% for column in column_names %}{{ column }} is null{% if not loop.last %} or {% endif %}{% endfor %}
{% endtest %}

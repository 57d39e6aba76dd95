{#- Area reference: every row at child_level has a parent_code that is an area at parent_level
    (of the same quarter); rows at other levels are not checked. -#}
{% test parent_at_level(model, column_name, child_level, parent_level) %}
select child.*
from {{ model }} as child
left join {{ model }} as parent
    on parent.area_code = child.{{ column_name }}
    and parent.quarter = child.quarter
    and parent.area_level = '{{ parent_level }}'
where child.area_level = '{{ child_level }}'
  and parent.area_code is null
{% endtest %}

-- Every count of a gemeente is at least the sum over its wijken (households without buurt
-- count in the gemeente only, so it may be more, never less); all quarters and periods.
{{ areas_against_their_parts('gemeente', 'wijk', '>=') }}

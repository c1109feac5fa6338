<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>
{% macro symbol_element(name, symbol) %}
      <symbol type="{{ symbol.kind }}" name="{{ name }}" alpha="1" clip_to_extent="1" force_rhr="0">
        <layer class="{{ symbol.layer.cls }}" enabled="1" pass="0" locked="0">
          <Option type="Map">
{% for key, value in symbol.layer.options %}
            <Option type="QString" name="{{ key }}" value="{{ value }}"/>
{% endfor %}
          </Option>
        </layer>
      </symbol>
{% endmacro %}
<qgis version="{{ version }}" styleCategories="Symbology">
{% if single is not none %}
  <renderer-v2 type="singleSymbol" symbollevels="0" enableorderby="0" forceraster="0">
    <symbols>
{{ symbol_element("0", single) }}
    </symbols>
  </renderer-v2>
{% else %}
  <renderer-v2 type="categorizedSymbol" attr="{{ expression }}" symbollevels="0" enableorderby="0" forceraster="0">
    <categories>
{% for category in categories %}
      <category render="true" value="{{ category.value }}" symbol="{{ loop.index0 }}" label="{{ category.label }}"/>
{% endfor %}
    </categories>
    <symbols>
{% for category in categories %}
{{ symbol_element(loop.index0, category.symbol) }}
{% endfor %}
    </symbols>
  </renderer-v2>
{% endif %}
  <blendMode>0</blendMode>
  <featureBlendMode>0</featureBlendMode>
  <layerOpacity>1</layerOpacity>
</qgis>

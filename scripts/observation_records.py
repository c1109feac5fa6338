"""The reported contamination observations behind ``layers/observations.csv``.

Each record quotes its source (see ``shared/data/HYDROGEOLOGY.md``). A record is placed on
the map only when its source states where it is: ``place`` says how, and
``scripts/prepare_layers.py`` turns it into a coordinate (``None``: not placed). A coordinate is
never invented.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

PlaceRule = Literal["west_of_pond_dam", "nearest_yellow_river_point", "northeast_of_mountain_pass"]


@dataclass(frozen=True)
class Place:
    """How a stated location becomes a point: a rule and the distance in metres it uses."""

    rule: PlaceRule
    distance_m: float = 0.0


@dataclass(frozen=True)
class ObservationRecord:
    """One reported observation; the columns of ``observations.csv`` except lon/lat."""

    id: str
    site: str
    name: str
    place: Place | None
    location_method: str
    period: str
    measured: str
    result: str
    source: str
    notes: str = ""


BAOTOU = "Baogang (Baotou / Weikuang) tailings dam"
MOUNTAIN_PASS = "Mountain Pass Mine and Mill"
MILE_M = 1609.344

_WEST_OF_DAM = (
    "described in words: '{words}'; point placed {km} km due W of the western end of the "
    "modelled pond ellipse (layer tailings_pond, major axis E-W assumed), on the parallel of "
    "the infobox point 40.637861 N 109.687972 E, in UTM 49N; the real dam outline is unknown"
)
_NOT_PLACED = "not placed: {why}"

RECORDS = (
    ObservationRecord(
        id="baotou_dalahai_upper_2km_w",
        site=BAOTOU,
        name="Dalahai Upper Village (打拉亥上村) groundwater",
        place=Place("west_of_pond_dam", 2000.0),
        location_method=_WEST_OF_DAM.format(words="2 km due west of the dam", km=2),
        period="before 2006 (report quoted in 2006; date not given)",
        measured="groundwater TDS, sulfate, total hardness, chloride against GB 5749-85",
        result="exceed the drinking-water standard by 3.8, 9.9, 4.9 and 0.8 times "
        "respectively; worse than Class V",
        source="Baotou Environmental Monitoring Station, 污染纠纷调查监测报告, quoted by "
        "Jin Ying and Zhou Jigang, 包头尾矿坝污染调查 (2006), "
        "mirror handmsg.com/page/2006/0530/23258490.shtml",
    ),
    ObservationRecord(
        id="baotou_dalahai_1_5km_w_wells",
        site=BAOTOU,
        name="Dalahai village well water",
        place=Place("west_of_pond_dam", 1500.0),
        location_method=_WEST_OF_DAM.format(words="1.5 km west of the pool", km=1.5),
        period="1995; 2000; 2006",
        measured="well water sulfate, chloride, fluoride against national irrigation-water "
        "standards",
        result="exceed the standards by several dozen times",
        source="Baotou Environmental Monitoring Station data, quoted by Liu Zhiyi, 'Trouble in "
        "the Treasure', CaiXin Online, 19 Dec 2012",
    ),
    ObservationRecord(
        id="baotou_xinguang_wells_2002",
        site=BAOTOU,
        name="Xinguang villages (新光一村) well water",
        place=None,
        location_method=_NOT_PLACED.format(
            why="the source names the villages but gives no distance or direction from the dam"
        ),
        period="2002-08",
        measured="well water quality (10 parameters failed, including sulfate, total "
        "hardness, volatile phenols); soil salinity",
        result="well water failed 10 parameters; soils salinised",
        source="Baotou Environmental Monitoring Station survey (Aug 2002), quoted by Sohu News "
        "2006-09-21, news.sohu.com/20060921/n245455061.shtml",
    ),
    ObservationRecord(
        id="baotou_xinguang_farmland",
        site=BAOTOU,
        name="Xinguang 1/3/8 villages farmland taken out of use",
        place=None,
        location_method=_NOT_PLACED.format(why="the source names the villages only"),
        period="by 2006",
        measured="farmland area taken out of use",
        result="about 2,500 / 1,300 / 1,050 mu (≈ 1.67 / 0.87 / 0.70 km²)",
        source="Sohu News 2006-09-21 (figures from government departments)",
    ),
    ObservationRecord(
        id="baotou_jiuyuan_forest",
        site=BAOTOU,
        name="Jiuyuan district state forest farm soaked by dam wastewater",
        place=None,
        location_method=_NOT_PLACED.format(why="the source names the forest farm only"),
        period="by 2006",
        measured="forest area soaked by tailings-dam wastewater; losses",
        result="1,900 mu (≈ 1.27 km²); losses ≈ 4.4 M CNY",
        source="Jiuyuan District EPB emergency report, quoted by Sohu News 2006-09-21",
    ),
    ObservationRecord(
        id="baotou_farmland_4000ha",
        site=BAOTOU,
        name="Farmland contaminated by seepage around the pond",
        place=None,
        location_method=_NOT_PLACED.format(why="an area-wide figure without a location"),
        period="by 2012",
        measured="farmland area contaminated by seepage",
        result="at least 4,000 ha contaminated; more than 130 ha cannot grow crops or yield "
        "very little",
        source="Liu Zhiyi, CaiXin Online, 19 Dec 2012",
    ),
    ObservationRecord(
        id="baotou_yellow_river_bank",
        site=BAOTOU,
        name="Yellow River bank south of the pond: groundwater pollutants arrived",
        place=Place("nearest_yellow_river_point"),
        location_method="derived: nearest point of the NE 10m Huang (Yellow River) centreline "
        "to the pond point 40.637861 N 109.687972 E, measured in UTM 49N; the source says "
        "'the Yellow River 12 kilometers south of the pond'; a centreline, not the bank",
        period="published 2021 (sampling date not in the abstract)",
        measured="groundwater Nemerow pollution index along a profile from the pond to the "
        "Yellow River",
        result="V-shaped profile (rising again near the river where a clay layer of the "
        "alluvial plain blocks flow); 'the pollutants leaked from the tailings pond have "
        "reached the bank of the Yellow River'",
        source="Si W., Li Q., et al. 2021, IOP Conf. Ser.: Earth Environ. Sci. 621, 012127, "
        "doi:10.1088/1755-1315/621/1/012127 (abstract)",
        notes="The abstract does not name Baotou; the site is inferred from the 12 km / Yellow "
        "River setting and the co-author (see HYDROGEOLOGY.md 1.1)",
    ),
    ObservationRecord(
        id="baotou_thorium_soils",
        site=BAOTOU,
        name="Thorium-232 in soils around the pond",
        place=None,
        location_method=_NOT_PLACED.format(
            why="77 soil samples in 8 directions around the pond; no single point"
        ),
        period="published 2014",
        measured="soil 232Th activity (77 samples)",
        result="9.1-307.1 Bq/kg, mean 42.4 Bq/kg; polluted 2.10 km² medium-strong, 38.29 km² "
        "medium, 47.19 km² slight; pattern follows the wind (airborne dust, not groundwater)",
        source="Li R., Li Q., Chen S., Wu F., Sun D., Liao H. 2014, J. Radioanal. Nucl. Chem. "
        "299:1453-1459, doi:10.1007/s10967-013-2814-2",
    ),
    ObservationRecord(
        id="tailings_thesis_18_wells",
        site=BAOTOU,
        name="Groundwater in 18 monitoring wells around a 50-year-old tailings pond",
        place=None,
        location_method=_NOT_PLACED.format(why="the excerpt gives no location"),
        period="before the thesis (date not shown in the excerpt)",
        measured="groundwater in 18 monitoring wells: major ions, NH3-N, TDS, metals, gross "
        "alpha, 226Ra, dissolved REE",
        result="over the limits: Cl-, SO4 2-, NH3-N, TDS, Mn, B, Zn, total hardness, nitrite, "
        "gross alpha; high 226Ra, Na, K, Mg, Sr; dissolved REE 1e-6 to 1e-2 mg/L (light-REE "
        "enriched, Ce negative / Eu positive anomaly); traced to seepage from the pond; more "
        "than 5,000 residents affected",
        source="thesis abstract, jxxfw.com/degree/57b9a52c45ab396ca61405f9e7e02e2e.html (author "
        "and university not shown)",
        notes="Site identification as Baotou is inferred; the excerpt does not name it",
    ),
    ObservationRecord(
        id="mountain_pass_spills_1984_1998",
        site=MOUNTAIN_PASS,
        name="Wastewater pipeline spills to Ivanpah",
        place=None,
        location_method=_NOT_PLACED.format(
            why="along the wastewater pipeline (up to 14 miles long); no spill location given"
        ),
        period="1984-1998",
        measured="number and volume of spills of radiological and other hazardous waste",
        result="about 60 spills (some unreported); about 600,000 US gal (2,300,000 L) on the "
        "desert floor; the scale is radioactive (Th, Ra)",
        source="Wikipedia 'Ivanpah Lake' / 'Mountain Pass mine' (wikisum.wiki mirrors), citing "
        "federal authorities",
    ),
    ObservationRecord(
        id="mountain_pass_spills_1996",
        site=MOUNTAIN_PASS,
        name="Summer 1996 pipeline spills",
        place=None,
        location_method=_NOT_PLACED.format(why="no spill location given"),
        period="1996 (summer); cleanup and abatement order 1997-04",
        measured="spill volume; waste composition",
        result="about 300,000 gal from seven spills; lead at toxic concentrations plus "
        "radioactive uranium, barium, thorium; Regional Water Board cleanup and abatement order",
        source="Los Angeles Times, 24 Apr 1997, 'Desert Lands Contaminated by Toxic Spills'",
    ),
    ObservationRecord(
        id="mountain_pass_groundwater_1998",
        site=MOUNTAIN_PASS,
        name="Groundwater near Mountain Pass Elementary under investigation",
        place=None,
        location_method=_NOT_PLACED.format(
            why="described in words: 'near Mountain Pass Elementary (<1 mile from the "
            "operations)'; no direction given"
        ),
        period="1998",
        measured="groundwater contaminants under investigation",
        result="lead, arsenic, thorium, uranium, hydrochloric, nitric and sulfuric acid, "
        "chlorine, barium chloride, ammonia, nitrate, zinc; a threat to water supplying "
        "Nevada's state-line casinos",
        source="Las Vegas Sun, 14 May 1998 (Communities for a Better Environment notice)",
    ),
    ObservationRecord(
        id="mountain_pass_ivanpah_final_pond",
        site=MOUNTAIN_PASS,
        name="Final evaporation pond at Ivanpah Flats",
        place=Place("northeast_of_mountain_pass", 13 * MILE_M),
        location_method="described in words: 'a final evaporation pond at Ivanpah Flats, 13 "
        "miles to the northeast'; point placed 13 miles (20.9 km) NE (bearing 45°) of the USGS "
        "MRDS mine point 35.4786 N -115.53218 in UTM 11N",
        period="2011 (report date)",
        measured="wastewater character",
        result="the wastewater is toxic and has high salinity",
        source="S. Juetten, Desert Report (Sierra Club CA/NV Desert Committee), March 2011, "
        "docslib.org/download/8400978",
    ),
)

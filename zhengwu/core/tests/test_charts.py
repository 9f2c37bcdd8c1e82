"""The inline SVG charts (core/charts.py): well-formed, labelled for screen readers with a
data table, every label escaped, values scaled to the axis, and "暂无数据" when empty."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from zhengwu.core.charts import (
    BASELINE,
    LABEL_WIDTH,
    PLOT_HEIGHT,
    Bar,
    Series,
    bar_chart,
    line_chart,
    nice_ceiling,
    ranked_bars,
)

SVG = "{http://www.w3.org/2000/svg}"


def parse(html: str) -> ET.Element:
    return ET.fromstring(html)  # our own output, parsed to check that it is XML


def bars(figure: ET.Element) -> list[ET.Element]:
    return [r for r in figure.iter(f"{SVG}rect") if r.get("class") == "bar"]


def number(element: ET.Element, name: str) -> float:
    return float(element.get(name, "nan"))


@pytest.mark.parametrize(("value", "want"), [
    (0, 1), (-3, 1), (0.3, 0.5), (1, 1), (4, 5), (7.5, 10), (10, 10), (11, 20), (16.3, 20),
    (30, 50), (120, 200)])
def test_nice_ceiling(value: float, want: float) -> None:
    assert nice_ceiling(value) == want


def test_a_bar_chart_is_well_formed_and_labelled() -> None:
    html = bar_chart("每小时取号", ["08:00–09:00", "09:00–10:00"],
                     [Series("已办结", [3, 10], "#1a7f37"), Series("放弃", [1, 0], "#b3261e")],
                     unit="个", ticks=["8", "9"])
    figure = parse(html)
    assert figure.tag == "figure"
    assert figure.findtext("figcaption") == "每小时取号"
    svg = figure.find(f"{SVG}svg")
    assert svg is not None
    assert svg.get("role") == "img"
    assert svg.get("aria-label") == "每小时取号（单位：个）"
    assert svg.findtext(f"{SVG}title") == "每小时取号"
    texts = [t.text for t in svg.iter(f"{SVG}text")]
    assert "8" in texts and "9" in texts and "已办结" in texts and "放弃" in texts
    table = figure.find("table")
    assert table is not None and table.get("class") == "sr-only"
    assert table.findtext("caption") == "每小时取号"
    assert [th.text for th in table.iter("th") if th.get("scope") == "col"] == [
        "时段", "已办结（个）", "放弃（个）"]
    assert [[c.text for c in tr] for tr in table.iter("tr")][1:] == [
        ["08:00–09:00", "3", "1"], ["09:00–10:00", "10", "0"]]


def test_bars_scale_to_the_axis_and_stack() -> None:
    figure = parse(bar_chart("每小时取号", ["8", "9"],
                             [Series("已办结", [3, 10], "#1a7f37"),
                              Series("放弃", [1, 0], "#b3261e")], unit="个"))
    # the highest stack is 10, so the axis runs to 10 and 1 is a tenth of the plot
    served8, served9, abandoned8 = bars(figure)  # a zero draws no bar
    assert number(served8, "height") == pytest.approx(0.3 * PLOT_HEIGHT)
    assert number(served8, "y") == pytest.approx(BASELINE - 0.3 * PLOT_HEIGHT)
    assert number(served9, "height") == pytest.approx(PLOT_HEIGHT)
    assert number(abandoned8, "height") == pytest.approx(0.1 * PLOT_HEIGHT)
    assert number(abandoned8, "y") == pytest.approx(BASELINE - 0.4 * PLOT_HEIGHT)  # on the served
    assert number(served8, "x") == pytest.approx(number(abandoned8, "x"))
    assert served8.findtext(f"{SVG}title") == "8 已办结 3 个"


def test_the_axis_rounds_up_to_a_nice_value() -> None:
    [bar] = bars(parse(bar_chart("等候", ["9"], [Series("等候", [4.5], "#1a7f37")], unit="分钟")))
    assert number(bar, "height") == pytest.approx(4.5 / 5 * PLOT_HEIGHT)
    texts = [t.text for t in parse(bar_chart("等候", ["9"], [Series("等候", [4.5], "#000000")],
                                             unit="分钟")).iter(f"{SVG}text")]
    assert "5" in texts  # the top of the axis is labelled


def test_a_line_chart_scales_its_points_and_breaks_at_gaps() -> None:
    figure = parse(line_chart("P90 等候", ["8", "9", "10", "11"],
                              Series("P90 等候", [10, 20, None, 30], "#0b5cad"), unit="分钟"))
    circles = list(figure.iter(f"{SVG}circle"))
    assert [number(c, "cy") for c in circles] == pytest.approx([
        BASELINE - 10 / 50 * PLOT_HEIGHT, BASELINE - 20 / 50 * PLOT_HEIGHT,
        BASELINE - 30 / 50 * PLOT_HEIGHT])
    [line] = figure.iter(f"{SVG}polyline")  # 8–9 joined; 11 stands alone
    assert len(line.get("points", "").split()) == 2
    assert circles[2].findtext(f"{SVG}title") == "11 P90 等候 30 分钟"
    table = figure.find("table")
    assert table is not None
    assert [[c.text for c in tr] for tr in table.iter("tr")][3] == ["10", "—"]


def test_every_label_is_escaped() -> None:
    nasty = '<script>alert("x")</script>&amp;'
    html = bar_chart(nasty, [nasty], [Series(nasty, [2], "#0b5cad")], unit=nasty)
    assert "<script>" not in html
    with pytest.raises(ValueError, match="rrggbb"):  # nor can a colour carry markup: it is #rrggbb or refused
        Series(nasty, [2], '"><x y="')
    figure = parse(html)
    svg = figure.find(f"{SVG}svg")
    assert svg is not None and svg.findtext(f"{SVG}title") == nasty
    assert svg.get("aria-label") == f"{nasty}（单位：{nasty}）"
    line = line_chart(nasty, [nasty], Series(nasty, [1.5], "#000000"), unit=nasty)
    assert "<script>" not in line
    parse(line)


@pytest.mark.parametrize("chart", [
    lambda: bar_chart("每小时取号", [], [Series("已办结", [], "#000000")], unit="个"),
    lambda: bar_chart("每小时取号", ["9"], [Series("已办结", [0], "#000000")], unit="个"),
    lambda: line_chart("P90 等候", ["9", "10"], Series("P90", [None, None], "#000000"), unit="分钟"),
])
def test_no_data_says_so(chart: object) -> None:
    figure = parse(chart())  # type: ignore[operator]
    svg = figure.find(f"{SVG}svg")
    assert svg is not None and svg.get("role") == "img"
    assert "暂无数据" in [t.text for t in svg.iter(f"{SVG}text")]
    assert "暂无数据" in (svg.get("aria-label") or "")
    assert not bars(figure) and figure.find("table") is None


def test_ranked_bars_link_each_row_and_scale_to_the_top() -> None:
    html = ranked_bars("各部门网上可办率", [
        Bar("市<公安>局", 40.0, "/kpis/online/?department=1&x=2"), Bar("市民政局", 100.0, ""),
        Bar("没有事项", None, "/no")], unit="%", top=100, target=90)
    figure = parse(html)
    svg = figure.find(f"{SVG}svg")
    assert svg is not None
    links = list(svg.iter(f"{SVG}a"))
    assert [a.get("href") for a in links] == ["/kpis/online/?department=1&x=2"]  # unescaped
    widths = [number(r, "width") for r in svg.iter(f"{SVG}rect")]
    assert widths[1] == pytest.approx(widths[0] * 2.5)  # 40 and 100 on one scale of 100
    assert "市<公安>局" in ET.tostring(figure, encoding="unicode").replace("&lt;", "<") \
        .replace("&gt;", ">")
    target = list(svg.iter(f"{SVG}line"))[-1]
    assert number(target, "x1") > LABEL_WIDTH
    table = figure.find("table")
    assert table is not None and [td.text for td in table.iter("td")] == ["40", "100"]


def test_bars_with_links_lead_to_their_rows_each_named_by_its_title() -> None:
    html = bar_chart("每周红牌", ["2026-11-23", "2026-11-30"], [
        Series("红牌超时", [2, 0], "#b3261e", links=["/cases/?week=2026-11-23&x=1", "/no"]),
        Series("超时默认准予", [1, 3], "#9a6700")], unit="件", stacked=False)
    figure = parse(html)
    svg = figure.find(f"{SVG}svg")
    assert svg is not None and svg.get("role") == "group"  # an image may hold no links
    links = list(svg.iter(f"{SVG}a"))
    # The zero draws no bar, so no link; the other series' bars are pictures only.
    assert [a.get("href") for a in links] == ["/cases/?week=2026-11-23&x=1"]
    assert links[0][0].tag == f"{SVG}title" and links[0][0].text == "2026-11-23 红牌超时 2 件"
    assert len(bars(figure)) == 3


def test_a_series_has_a_link_per_value_or_none() -> None:
    with pytest.raises(ValueError, match="one link per value"):
        Series("红牌超时", [2, 0], "#b3261e", links=["/one"])


def test_ranked_bars_with_nothing_say_so() -> None:
    assert "暂无数据" in ranked_bars("空", [Bar("甲", None)], unit="件")
    assert "暂无数据" in ranked_bars("零", [Bar("甲", 0.0)], unit="件")


def test_contrast_ratio_follows_wcag() -> None:
    from zhengwu.core.charts import contrast_ratio

    assert contrast_ratio("#000000", "#ffffff") == pytest.approx(21.0)
    assert contrast_ratio("#ffffff", "#ffffff") == pytest.approx(1.0)
    # WebAIM's checker gives #767676 on white 4.54:1, the lightest grey that passes AA text.
    assert contrast_ratio("#767676", "#ffffff") == pytest.approx(4.54, abs=0.01)


def test_a_series_colour_too_pale_to_see_is_refused() -> None:
    with pytest.raises(ValueError, match=r"2\.85:1"):
        Series("等候", [1.0], "#8c959f")
    with pytest.raises(ValueError, match="#rrggbb"):
        Series("等候", [1.0], "grey")


def test_every_colour_the_charts_use_keeps_its_contrast() -> None:
    """The manual contrast check of issue 16, automated: each colour a chart is drawn in, in
    this module and in every app that draws one, against the page and a card."""
    from zhengwu.cases import views as cases
    from zhengwu.core import charts
    from zhengwu.hall import dashboard as hall
    from zhengwu.hotline import results_report as hotline
    from zhengwu.plan import dashboard as plan

    charts.check_colour(charts.TEXT, charts.MIN_TEXT_CONTRAST)
    for colour in (charts.BAR_COLOUR, charts.TARGET_COLOUR, hall.SERVED, hall.ABANDONED,
                   hall.OPEN, hall.P90, hotline.RECEIVED, hotline.DIRECT,
                   *hotline.RATE_COLOURS.values(), plan.LINE, cases.RED_CARD_COLOUR,
                   cases.DEEMED_COLOUR):
        charts.check_colour(colour)


def test_stacked_bars_are_parted_by_a_white_line() -> None:
    html = bar_chart("t", ["a"], [Series("x", [1.0], "#0b5cad"), Series("y", [2.0], "#1a7f37")],
                     unit="件")
    assert html.count('stroke="#ffffff" stroke-width="1"') == 2


def test_bars_side_by_side_share_the_band_and_do_not_add_up() -> None:
    html = bar_chart("每周", ["w1"], [Series("红牌", [2.0], "#b3261e"),
                                      Series("默认", [10.0], "#9a6700")],
                     unit="件", stacked=False)
    red, deemed = bars(parse(html))
    assert number(red, "width") == pytest.approx(number(deemed, "width"))
    assert number(deemed, "x") == pytest.approx(number(red, "x") + number(red, "width"))
    # The axis tops out at the larger value (10), not the sum (12): the taller bar fills it.
    assert number(deemed, "height") == pytest.approx(PLOT_HEIGHT)
    assert number(red, "y") + number(red, "height") == pytest.approx(BASELINE)


@pytest.mark.parametrize(("peak", "values", "top"), [
    (1, [0, 1], 2), (3, [3], 4), (5, [5, 2], 6), (9, [9], 10), (12, [12], 20),
    (0.3, [0.3], 0.5), (1, [1, 0.5], 1), (7.5, [7.5], 10)])
def test_counts_get_whole_ticks(peak: float, values: list[float], top: float) -> None:
    from zhengwu.core.charts import axis_top

    assert axis_top(peak, values) == top


def test_a_count_chart_labels_its_half_tick_whole() -> None:
    figure = parse(bar_chart("每周", ["一", "二"], [Series("红牌", [1, 0], "#b3261e")], unit="件"))
    labels = [t.text for t in figure.iter(f"{SVG}text")]
    assert "0.5" not in labels and {"0", "1", "2"} <= set(labels)

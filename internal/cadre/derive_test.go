package cadre

import (
	"testing"

	"qualify/internal/platform/civil"
)

// testLadder is the ladder of domain.md §1 as the migration seeds it.
func testLadder() *Ladder {
	levels := []PostLevel{
		{"state_principal", "国家级正职", 1, 1, 1}, {"state_deputy", "国家级副职", 2, 2, 4},
		{"provincial_principal", "省部级正职", 3, 4, 8}, {"provincial_deputy", "省部级副职", 4, 6, 10},
		{"bureau_principal", "厅局级正职", 5, 8, 13}, {"bureau_deputy", "厅局级副职", 6, 10, 15},
		{"county_principal", "县处级正职", 7, 12, 18}, {"county_deputy", "县处级副职", 8, 14, 20},
		{"township_principal", "乡科级正职", 9, 16, 22}, {"township_deputy", "乡科级副职", 10, 17, 24},
	}
	names := []string{"inspector_1", "inspector_2", "researcher_1", "researcher_2", "researcher_3", "researcher_4",
		"senior_staff_1", "senior_staff_2", "senior_staff_3", "senior_staff_4", "staff_1", "staff_2"}
	var ranks []Rank
	for i, c := range names {
		ranks = append(ranks, Rank{Category: "general", Code: c, Name: c, Ord: i + 1})
	}
	eq := func(level, rank string) Equivalence { return Equivalence{level, "general", rank} }
	eqs := []Equivalence{eq("bureau_principal", "inspector_1"), eq("bureau_deputy", "inspector_2"),
		eq("county_principal", "researcher_1"), eq("county_principal", "researcher_2"),
		eq("county_deputy", "researcher_3"), eq("county_deputy", "researcher_4"),
		eq("township_principal", "senior_staff_1"), eq("township_principal", "senior_staff_2"),
		eq("township_deputy", "senior_staff_3"), eq("township_deputy", "senior_staff_4")}
	cats := []PostCategory{{"party_government_leader", "党政领导"}, {"administrative", "行政管理"}, {"party_mass", "党群组织管理"}}
	return NewLadder(levels, ranks, []RankCategory{{"general", "综合管理类"}}, cats, eqs)
}

var d = civil.MustParse

// post builds a record: level or "rank:<code>", start, end ("" open).
func post(level, start, end string) PostRecord {
	p := PostRecord{Title: level, Start: d(start), PostCategory: "administrative"}
	if len(level) > 5 && level[:5] == "rank:" {
		p.RankCategory, p.RankCode = "general", level[5:]
	} else {
		p.PostLevel = level
	}
	if end != "" {
		p.End = d(end)
	}
	return p
}

func grassroots(p PostRecord) PostRecord { p.Grassroots = true; return p }

func TestLadder(t *testing.T) {
	l := testLadder()
	if x, ok := l.LevelByCode("county_deputy"); !ok || x.Ord != 8 {
		t.Fatalf("LevelByCode: %+v %v", x, ok)
	}
	if _, ok := l.LevelByCode("nope"); ok {
		t.Fatal("unknown level found")
	}
	rs := l.RanksEquivalentTo("county_principal")
	if len(rs) != 2 || rs[0].Code != "researcher_1" || rs[1].Code != "researcher_2" {
		t.Fatalf("RanksEquivalentTo: %+v", rs)
	}
	if len(l.RanksEquivalentTo("state_principal")) != 0 {
		t.Fatal("state level has no equivalent ranks")
	}
	if lv, ok := l.LevelOfRank("general", "senior_staff_4"); !ok || lv.Code != "township_deputy" {
		t.Fatalf("LevelOfRank: %+v", lv)
	}
	if _, ok := l.LevelOfRank("general", "staff_1"); ok {
		t.Fatal("一级科员 has no equivalent level")
	}
	if b, ok := l.LevelBelow("county_principal"); !ok || b.Code != "county_deputy" {
		t.Fatalf("LevelBelow: %+v", b)
	}
	if _, ok := l.LevelBelow("township_deputy"); ok {
		t.Fatal("nothing below township_deputy")
	}
	g := func(level, rank string) Grade { return l.Order(level, "general", rank) }
	cases := []struct {
		name   string
		a, b   Grade
		higher bool
		same   bool
	}{
		{"principal above deputy", g("county_principal", ""), g("county_deputy", ""), true, false},
		{"deputy below principal", g("county_deputy", ""), g("county_principal", ""), false, false},
		{"level equals its equivalent rank", g("county_deputy", ""), g("", "researcher_3"), false, true},
		{"rank equals its equivalent level", g("", "researcher_4"), g("county_deputy", ""), false, true},
		{"rank above rank at same tier", g("", "researcher_1"), g("", "researcher_2"), true, true},
		{"rank above lower level", g("", "senior_staff_2"), g("township_deputy", ""), true, false},
		{"staff ranks below every level", g("township_deputy", ""), g("", "staff_1"), true, false},
		{"staff_1 above staff_2", g("", "staff_1"), g("", "staff_2"), true, false},
		{"valid above invalid", g("township_deputy", ""), Grade{}, true, false},
		{"invalid never higher", Grade{}, g("township_deputy", ""), false, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := c.a.Higher(c.b); got != c.higher {
				t.Errorf("Higher = %v, want %v", got, c.higher)
			}
			if got := c.a.SameTier(c.b); got != c.same {
				t.Errorf("SameTier = %v, want %v", got, c.same)
			}
		})
	}
}

func TestYearsOfWork(t *testing.T) {
	cases := []struct {
		name      string
		workStart string
		posts     []PostRecord
		asOf      string
		want      int
	}{
		{"exact anniversary", "2000-07-01", nil, "2010-07-01", 10},
		{"day before anniversary", "2000-07-01", nil, "2010-06-30", 9},
		{"leap day start, common year", "2000-02-29", nil, "2001-02-28", 0},
		{"leap day start, next day", "2000-02-29", nil, "2001-03-01", 1},
		{"leap day start, next leap year", "2000-02-29", nil, "2004-02-29", 4},
		{"as of before start", "2010-01-01", nil, "2009-12-31", 0},
		{"same day", "2010-01-01", nil, "2010-01-01", 0},
		{"unknown start falls back to earliest post", "", []PostRecord{post("township_deputy", "2005-03-01", ""), post("township_principal", "2003-03-01", "2005-03-01")}, "2013-03-01", 10},
		{"nothing known", "", nil, "2020-01-01", 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var ws civil.Date
			if c.workStart != "" {
				ws = d(c.workStart)
			}
			if got := YearsOfWork(ws, c.posts, d(c.asOf)); got != c.want {
				t.Errorf("YearsOfWork = %d, want %d", got, c.want)
			}
		})
	}
}

func TestGrassrootsYears(t *testing.T) {
	g := func(start, end string) PostRecord { return grassroots(post("township_deputy", start, end)) }
	cases := []struct {
		name        string
		posts       []PostRecord
		asOf        string
		years, days int
		total       int
	}{
		{"none", nil, "2020-01-01", 0, 0, 0},
		{"not grassroots", []PostRecord{post("county_deputy", "2010-01-01", "")}, "2020-01-01", 0, 0, 0},
		{"one closed record", []PostRecord{g("2010-01-01", "2012-01-01")}, "2020-01-01", 2, 0, 730},
		{"open record cut at as-of", []PostRecord{g("2018-01-01", "")}, "2020-01-01", 2, 0, 730},
		{"record ending after as-of is cut", []PostRecord{g("2018-01-01", "2025-01-01")}, "2019-07-01", 1, 181, 546},
		{"record starting after as-of ignored", []PostRecord{g("2021-01-01", "")}, "2020-01-01", 0, 0, 0},
		{"same-day start and end counts nothing", []PostRecord{g("2015-05-05", "2015-05-05")}, "2020-01-01", 0, 0, 0},
		{"overlapping records not double-counted", []PostRecord{g("2010-01-01", "2013-01-01"), g("2012-01-01", "2014-01-01")}, "2020-01-01", 4, 0, 1461},
		{"nested record not double-counted", []PostRecord{g("2010-01-01", "2015-01-01"), g("2011-01-01", "2012-01-01")}, "2020-01-01", 5, 0, 1826},
		{"adjacent records join", []PostRecord{g("2010-01-01", "2011-01-01"), g("2011-01-01", "2012-01-01")}, "2020-01-01", 2, 0, 730},
		{"gap between records: periods add up", []PostRecord{g("2010-01-01", "2010-07-01"), g("2011-01-01", "2011-07-01")}, "2020-01-01", 0, 362, 362},
		{"leftover days carry into years", []PostRecord{g("2010-01-01", "2010-12-01"), g("2012-01-01", "2012-03-01")}, "2020-01-01", 1, 29, 394},
		{"leap day period", []PostRecord{g("2020-02-29", "2021-03-01")}, "2022-01-01", 1, 0, 366},
		{"leap day period one day short", []PostRecord{g("2020-02-29", "2021-02-28")}, "2022-01-01", 0, 365, 365},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := GrassrootsYears(c.posts, d(c.asOf))
			if got.Years != c.years || got.Days != c.days || got.TotalDays != c.total {
				t.Errorf("GrassrootsYears = %+v, want %dy %dd (%d)", got, c.years, c.days, c.total)
			}
		})
	}
}

func TestTimeInGrade(t *testing.T) {
	l := testLadder()
	cases := []struct {
		name        string
		posts       []PostRecord
		asOf        string
		since       string
		years, days int
	}{
		{"no posts", nil, "2020-01-01", "", 0, 0},
		{"only past posts", []PostRecord{post("county_deputy", "2010-01-01", "2015-01-01")}, "2020-01-01", "", 0, 0},
		{"single open post", []PostRecord{post("county_deputy", "2016-03-01", "")}, "2020-03-01", "2016-03-01", 4, 0},
		{"day before anniversary", []PostRecord{post("county_deputy", "2016-03-01", "")}, "2020-02-29", "2016-03-01", 3, 365},
		{"started on as-of", []PostRecord{post("county_deputy", "2020-03-01", "")}, "2020-03-01", "2020-03-01", 0, 0},
		{"post ending on as-of is not held", []PostRecord{post("county_deputy", "2016-03-01", "2020-03-01")}, "2020-03-01", "", 0, 0},
		{"promotion resets the clock", []PostRecord{post("county_deputy", "2012-01-01", "2018-06-01"), post("county_principal", "2018-06-01", "")}, "2020-06-01", "2018-06-01", 2, 0},
		{"two posts at same level are continuous", []PostRecord{post("county_deputy", "2014-01-01", "2017-01-01"), post("county_deputy", "2017-01-01", "")}, "2020-01-01", "2014-01-01", 6, 0},
		{"inclusive end date (one-day gap) still continuous", []PostRecord{post("county_deputy", "2014-01-01", "2016-12-31"), post("county_deputy", "2017-01-01", "")}, "2020-01-01", "2014-01-01", 6, 0},
		{"two-day gap breaks continuity", []PostRecord{post("county_deputy", "2014-01-01", "2016-12-30"), post("county_deputy", "2017-01-01", "")}, "2020-01-01", "2017-01-01", 3, 0},
		{"equivalent rank counts", []PostRecord{post("rank:researcher_4", "2015-01-01", "2018-01-01"), post("county_deputy", "2018-01-01", "")}, "2020-01-01", "2015-01-01", 5, 0},
		{"rank promotion within tier keeps the clock", []PostRecord{post("rank:researcher_2", "2015-01-01", "2018-01-01"), post("rank:researcher_1", "2018-01-01", "")}, "2020-01-01", "2015-01-01", 5, 0},
		{"staff rank has its own grade", []PostRecord{post("rank:staff_2", "2010-08-01", "2012-08-01"), post("rank:staff_1", "2012-08-01", "")}, "2014-08-01", "2012-08-01", 2, 0},
		{"concurrent lower record does not matter", []PostRecord{post("county_principal", "2016-01-01", ""), post("township_principal", "2019-01-01", "")}, "2020-01-01", "2016-01-01", 4, 0},
		{"leap day start", []PostRecord{post("township_deputy", "2016-02-29", "")}, "2017-02-28", "2016-02-29", 0, 365},
		{"leap day start, one year", []PostRecord{post("township_deputy", "2016-02-29", "")}, "2017-03-01", "2016-02-29", 1, 0},
		{"future record ignored", []PostRecord{post("township_deputy", "2016-01-01", ""), post("township_principal", "2021-01-01", "")}, "2020-01-01", "2016-01-01", 4, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := TimeInGrade(l, c.posts, d(c.asOf))
			want := civil.Date{}
			if c.since != "" {
				want = d(c.since)
			}
			if got.Since != want || got.Years != c.years || got.Days != c.days {
				t.Errorf("TimeInGrade = %+v, want since %s %dy %dd", got, c.since, c.years, c.days)
			}
		})
	}
}

func TestPostsAtLevel(t *testing.T) {
	unit := func(p PostRecord, name string, id int64) PostRecord {
		p.UnitName = name
		if id != 0 {
			p.UnitOrgID = &id
		}
		return p
	}
	titled := func(p PostRecord, title string) PostRecord { p.Title = title; return p }
	cases := []struct {
		name  string
		posts []PostRecord
		level string
		asOf  string
		want  int
	}{
		{"none", nil, "township_principal", "2020-01-01", 0},
		{"two posts at level", []PostRecord{
			unit(titled(post("township_principal", "2010-01-01", "2013-01-01"), "镇长"), "河口镇", 0),
			unit(titled(post("township_principal", "2013-01-01", ""), "镇党委书记"), "河口镇", 0)}, "township_principal", "2020-01-01", 2},
		{"re-appointment to same post counts once", []PostRecord{
			unit(titled(post("township_principal", "2010-01-01", "2015-01-01"), "镇长"), "河口镇", 7),
			unit(titled(post("township_principal", "2015-01-01", ""), "镇长"), "河口镇（新）", 7)}, "township_principal", "2020-01-01", 1},
		{"same title at different units counts twice", []PostRecord{
			unit(titled(post("township_principal", "2010-01-01", "2015-01-01"), "镇长"), "河口镇", 0),
			unit(titled(post("township_principal", "2015-01-01", ""), "镇长"), "城关镇", 0)}, "township_principal", "2020-01-01", 2},
		{"other levels ignored", []PostRecord{post("township_deputy", "2008-01-01", "2010-01-01"), post("township_principal", "2010-01-01", "")}, "township_principal", "2020-01-01", 1},
		{"ranks are not posts", []PostRecord{post("rank:senior_staff_1", "2010-01-01", "")}, "township_principal", "2020-01-01", 0},
		{"post starting after as-of ignored", []PostRecord{post("township_principal", "2021-01-01", "")}, "township_principal", "2020-01-01", 0},
		{"post starting on as-of counts", []PostRecord{post("township_principal", "2020-01-01", "")}, "township_principal", "2020-01-01", 1},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := PostsAtLevel(c.posts, c.level, d(c.asOf)); got != c.want {
				t.Errorf("PostsAtLevel = %d, want %d", got, c.want)
			}
		})
	}
}

func TestLastPromotionDate(t *testing.T) {
	l := testLadder()
	cases := []struct {
		name  string
		posts []PostRecord
		asOf  string
		want  string
	}{
		{"no posts", nil, "2020-01-01", ""},
		{"first post is no promotion", []PostRecord{post("township_deputy", "2010-01-01", "")}, "2020-01-01", ""},
		{"one promotion", []PostRecord{post("township_deputy", "2010-01-01", "2014-03-01"), post("township_principal", "2014-03-01", "")}, "2020-01-01", "2014-03-01"},
		{"the last of two", []PostRecord{post("township_deputy", "2010-01-01", "2014-03-01"), post("township_principal", "2014-03-01", "2018-05-01"), post("county_deputy", "2018-05-01", "")}, "2020-01-01", "2018-05-01"},
		{"lateral move is no promotion", []PostRecord{post("township_deputy", "2010-01-01", "2014-03-01"), post("township_principal", "2014-03-01", "2017-01-01"), post("township_principal", "2017-01-01", "")}, "2020-01-01", "2014-03-01"},
		{"level to equivalent rank is no promotion", []PostRecord{post("township_deputy", "2010-01-01", "2014-03-01"), post("township_principal", "2014-03-01", "2017-01-01"), post("rank:senior_staff_2", "2017-01-01", "")}, "2020-01-01", "2014-03-01"},
		{"rank step within a tier is a promotion", []PostRecord{post("rank:senior_staff_2", "2012-01-01", "2016-01-01"), post("rank:senior_staff_1", "2016-01-01", "")}, "2020-01-01", "2016-01-01"},
		{"promotion after as-of ignored", []PostRecord{post("township_deputy", "2010-01-01", "2021-03-01"), post("township_principal", "2021-03-01", "")}, "2020-01-01", ""},
		{"promotion on as-of counts", []PostRecord{post("township_deputy", "2010-01-01", "2020-01-01"), post("township_principal", "2020-01-01", "")}, "2020-01-01", "2020-01-01"},
		{"inclusive end date", []PostRecord{post("township_deputy", "2010-01-01", "2014-02-28"), post("township_principal", "2014-03-01", "")}, "2020-01-01", "2014-03-01"},
		{"after a gap, compared with the last post", []PostRecord{post("township_deputy", "2010-01-01", "2012-01-01"), post("township_principal", "2013-06-01", "")}, "2020-01-01", "2013-06-01"},
		{"demotion then return is a promotion", []PostRecord{post("township_principal", "2010-01-01", "2012-01-01"), post("township_deputy", "2012-01-01", "2014-01-01"), post("township_principal", "2014-01-01", "")}, "2020-01-01", "2014-01-01"},
		{"concurrent lower post is no promotion", []PostRecord{post("county_deputy", "2010-01-01", ""), post("township_principal", "2015-01-01", "")}, "2020-01-01", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := LastPromotionDate(l, c.posts, d(c.asOf))
			if got.String() != c.want {
				t.Errorf("LastPromotionDate = %q, want %q", got.String(), c.want)
			}
		})
	}
}

func TestInProbation(t *testing.T) {
	prob := func(p PostRecord, end string) PostRecord { p.ProbationEnd = d(end); return p }
	cases := []struct {
		name  string
		posts []PostRecord
		asOf  string
		want  bool
	}{
		{"no probation", []PostRecord{post("county_deputy", "2019-06-01", "")}, "2019-12-01", false},
		{"within probation", []PostRecord{prob(post("county_deputy", "2019-06-01", ""), "2020-06-01")}, "2019-12-01", true},
		{"first day", []PostRecord{prob(post("county_deputy", "2019-06-01", ""), "2020-06-01")}, "2019-06-01", true},
		{"last day of probation", []PostRecord{prob(post("county_deputy", "2019-06-01", ""), "2020-06-01")}, "2020-05-31", true},
		{"probation end day is past it", []PostRecord{prob(post("county_deputy", "2019-06-01", ""), "2020-06-01")}, "2020-06-01", false},
		{"before the post", []PostRecord{prob(post("county_deputy", "2019-06-01", ""), "2020-06-01")}, "2019-05-31", false},
		{"post already left", []PostRecord{prob(post("county_deputy", "2019-06-01", "2019-10-01"), "2020-06-01")}, "2019-12-01", false},
		{"leap year probation", []PostRecord{prob(post("county_deputy", "2019-02-28", ""), "2020-02-29")}, "2020-02-28", true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := InProbation(c.posts, d(c.asOf)); got != c.want {
				t.Errorf("InProbation = %v, want %v", got, c.want)
			}
		})
	}
}

func TestDerive(t *testing.T) {
	l := testLadder()
	c := Cadre{WorkStartDate: d("2000-08-01"), PostLevel: "county_deputy"}
	posts := []PostRecord{
		grassroots(post("township_deputy", "2005-01-01", "2009-01-01")),
		grassroots(post("township_principal", "2009-01-01", "2016-01-01")),
		post("township_principal", "2012-01-01", "2014-01-01"),
		post("county_deputy", "2016-01-01", ""),
	}
	posts[1].Title, posts[2].Title = "镇长", "局长"
	posts[3].ProbationEnd = d("2017-01-01")
	f := Derive(l, c, posts, d("2020-01-01"))
	if f.YearsOfWork != 19 || f.Grassroots.Years != 11 || f.TimeInGrade.Years != 4 || f.LastPromotion != d("2016-01-01") ||
		f.InProbation || f.PostsAtLevelBelow != 2 {
		t.Fatalf("Derive = %+v", f)
	}
}

package present

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
)

type row struct {
	name  string
	n     int
	share float64
	opt   *float64
	ok    bool
	codes []string
}

func testTable() Table[row] {
	return NewTable(
		Str("name", func(r *row) string { return r.name }),
		Int("count", func(r *row) int { return r.n }),
		Float("covered_share", 3, func(r *row) float64 { return r.share }),
		OptFloat("index", 2, func(r *row) (float64, bool) {
			if r.opt == nil {
				return 0, false
			}
			return *r.opt, true
		}),
		Bool("ok", func(r *row) bool { return r.ok }),
		List("codes", func(r *row) []string { return r.codes }),
	)
}

func TestFormatFloat(t *testing.T) {
	for _, c := range []struct {
		v    float64
		want string
	}{{0, "0.0"}, {1, "1.0"}, {-3, "-3.0"}, {0.25, "0.25"}, {1e21, "1000000000000000000000.0"}, {123.456, "123.456"}} {
		if got := FormatFloat(c.v); got != c.want {
			t.Errorf("FormatFloat(%v) = %q, want %q", c.v, got, c.want)
		}
	}
}

func TestWriteCSV(t *testing.T) {
	x := 12.0
	items := []row{
		{name: "a, b", n: 3, share: 1, opt: &x, ok: true, codes: []string{"23", "87"}},
		{name: "c", n: 0, share: 0.12345},
	}
	var b bytes.Buffer
	if err := testTable().WriteCSV(&b, items); err != nil {
		t.Fatal(err)
	}
	want := "name,count,covered_share,index,ok,codes\n\"a, b\",3,1.0,12.0,true,23 87\nc,0,0.123,,false,\n"
	if b.String() != want {
		t.Errorf("CSV\n%s\nwant\n%s", b.String(), want)
	}
}

func TestProperties(t *testing.T) {
	p := testTable().Properties(&row{name: "c", share: 0.5, codes: []string{"23"}})
	b, err := json.Marshal(p)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"codes":["23"],"count":0,"covered_share":0.5,"index":null,"name":"c","ok":false}`
	if string(b) != want {
		t.Errorf("properties %s, want %s", b, want)
	}
}

func TestWriteText(t *testing.T) {
	var b bytes.Buffer
	items := []row{{name: "long name", n: 12345}, {name: "x", n: 1}}
	if err := testTable().WriteText(&b, items, "count", "name"); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimRight(b.String(), "\n"), "\n")
	if len(lines) != 3 || !strings.HasPrefix(strings.TrimSpace(lines[0]), "count") || !strings.Contains(lines[1], "12345  long name") {
		t.Errorf("table:\n%s", b.String())
	}
	if err := testTable().WriteText(&b, items, "nope"); err == nil || !strings.Contains(err.Error(), `"nope"`) {
		t.Errorf("unknown column: %v", err)
	}
}

func TestNested(t *testing.T) {
	type gain struct{ Code string }
	type item struct{ gains []gain }
	tb := NewTable(Nested("communes", func(v *item) []string {
		out := []string{}
		for _, g := range v.gains {
			out = append(out, g.Code)
		}
		return out
	}, func(v *item) any { return v.gains }))
	it := item{gains: []gain{{"23096"}, {"87085"}}}
	if got := tb.Row(&it); got[0] != "23096 87085" {
		t.Errorf("cell %q", got[0])
	}
	if p := tb.Properties(&it); len(p["communes"].([]gain)) != 2 {
		t.Errorf("property %v", p["communes"])
	}
}

// The listener's Prometheus metrics: sign-ins accepted and refused, the
// ACS's latency, the number of accounts and the database's size, on
// GET /metrics of the SP listener.

package core

import (
	"context"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// UnknownIdPLabel is the idp label of sign-ins posted to an ACS that names
// no connected IdP (or that were refused before the IdP was looked up):
// a sender can vary the path at will, so these share one series. No slug
// can take it (slugs have no underscore).
const UnknownIdPLabel = "_unknown"

// Metric names, for the README and the tests.
const (
	MetricSignInsAccepted = "jitconsole_sign_ins_accepted_total"
	MetricSignInsRefused  = "jitconsole_sign_ins_refused_total"
	MetricACSDuration     = "jitconsole_acs_duration_seconds"
	MetricAccounts        = "jitconsole_accounts"
	MetricDatabaseSize    = "jitconsole_database_size_bytes"
)

// scrapeTimeout bounds the store reads of one scrape.
const scrapeTimeout = 5 * time.Second

// metrics are one console's collectors, in a registry of their own (not
// the global one) with Go's runtime and process collectors beside them.
type metrics struct {
	reg      *prometheus.Registry
	accepted *prometheus.CounterVec // idp
	refused  *prometheus.CounterVec // idp, class
	acs      prometheus.Histogram
}

// newMetrics makes the console's metrics; the accounts and database size
// gauges read c's store when scraped.
func newMetrics(c *Console) *metrics {
	m := &metrics{
		reg: prometheus.NewRegistry(),
		accepted: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: MetricSignInsAccepted,
			Help: "Sign-ins the ACS accepted, by IdP slug.",
		}, []string{"idp"}),
		refused: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: MetricSignInsRefused,
			Help: "Sign-ins the ACS refused, by IdP slug (" + UnknownIdPLabel + " for none connected) and refusal class.",
		}, []string{"idp", "class"}),
		acs: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    MetricACSDuration,
			Help:    "Time the ACS took to answer a POST, accepted or refused.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5},
		}),
	}
	m.reg.MustRegister(m.accepted, m.refused, m.acs, &stateCollector{c: c},
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// handler serves the registry in the Prometheus text format. A gauge that
// cannot be read is left out of that scrape (and logged); the rest are
// served.
func (m *metrics) handler(c *Console) http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{
		ErrorLog:      promLogger{c},
		ErrorHandling: promhttp.ContinueOnError,
	})
}

// promLogger passes promhttp's errors to the console's log.
type promLogger struct{ c *Console }

func (l promLogger) Println(v ...any) { l.c.log.Warn("metrics", "err", v) }

// observe counts one ACS request's outcome and its duration.
func (m *metrics) observe(o *acsOutcome, took time.Duration) {
	m.acs.Observe(took.Seconds())
	idp := o.idp
	if idp == "" {
		idp = UnknownIdPLabel
	}
	switch {
	case o.accepted:
		m.accepted.WithLabelValues(idp).Inc()
	case o.class != "":
		class := o.class
		if _, known := verdictTexts[class]; !known {
			class = ClassOther
		}
		m.refused.WithLabelValues(idp, string(class)).Inc()
	}
}

// acsOutcome is what one ACS request decided, filled in as it goes: the
// IdP once its slug names a connected one, and accepted or the refusal's
// class. Its methods do nothing on a nil outcome (metrics off).
type acsOutcome struct {
	idp      string
	accepted bool
	class    RefusalClass
}

type acsOutcomeKey struct{}

// outcomeOf is r's outcome, nil when metrics are off.
func outcomeOf(r *http.Request) *acsOutcome {
	o, _ := r.Context().Value(acsOutcomeKey{}).(*acsOutcome)
	return o
}

func (o *acsOutcome) knownIdP(slug string) {
	if o != nil {
		o.idp = slug
	}
}

func (o *acsOutcome) accept() {
	if o != nil {
		o.accepted = true
	}
}

func (o *acsOutcome) refuse(class RefusalClass) {
	if o != nil && !o.accepted {
		o.class = class
	}
}

// serveACS is the assertion consumer service (handleACS), timed and
// counted when metrics are on.
func (s *spServer) serveACS(w http.ResponseWriter, r *http.Request) {
	m := s.c.metrics
	if m == nil {
		s.handleACS(w, r)
		return
	}
	start := time.Now()
	o := &acsOutcome{}
	s.handleACS(w, r.WithContext(context.WithValue(r.Context(), acsOutcomeKey{}, o)))
	m.observe(o, time.Since(start))
}

// stateCollector reads the gauges of the console's state from its store
// at scrape time: the number of accounts and the database's size.
type stateCollector struct{ c *Console }

var (
	accountsDesc = prometheus.NewDesc(MetricAccounts, "Provisioned accounts, enabled and disabled, of every IdP.", nil, nil)
	dbSizeDesc   = prometheus.NewDesc(MetricDatabaseSize, "Size of the database on disk in bytes (with its write-ahead log).", nil, nil)
)

// DatabaseSizer is what a Maintenance implements when it can tell the
// database's size on disk.
type DatabaseSizer interface {
	Size() (int64, error)
}

// Describe implements prometheus.Collector.
func (s *stateCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- accountsDesc
	ch <- dbSizeDesc
}

// Collect implements prometheus.Collector.
func (s *stateCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), scrapeTimeout)
	defer cancel()
	if n, err := s.c.store.CountUsers(ctx, UserFilter{}); err != nil {
		ch <- prometheus.NewInvalidMetric(accountsDesc, err)
	} else {
		ch <- prometheus.MustNewConstMetric(accountsDesc, prometheus.GaugeValue, float64(n))
	}
	if sizer, ok := s.c.maint.(DatabaseSizer); ok {
		if size, err := sizer.Size(); err != nil {
			ch <- prometheus.NewInvalidMetric(dbSizeDesc, err)
		} else {
			ch <- prometheus.MustNewConstMetric(dbSizeDesc, prometheus.GaugeValue, float64(size))
		}
	}
}

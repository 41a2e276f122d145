// Command clientgo-peer measures client-go on the cases bench/peers measures for kubeclient and
// kube-rs, and prints one `metric <name> <value>` line per result:
//
//	clientgo-peer get --server URL --namespace NS --name NAME [--gets 1000 --rounds 5]
//	clientgo-peer decode --json FILE [--rounds 5]
//	clientgo-peer list --server URL --namespace NS --pods N --format json|pb [--page 500]
//	clientgo-peer informer --server URL --namespace NS --pods N [--transform]
//	clientgo-peer watch --server URL --namespace NS --from RV [--events 10000]
//
// `get` times sequential GETs of one ConfigMap through a typed clientset (QPS < 0: no rate
// limiting; JSON, as the other peers). `decode` decodes the same PodList body with client-go's
// own codecs from JSON and (after converting it once) from protobuf, and reports heap held per
// pod with the list alive after a GC, allocations per pod and peak RSS.
package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"os"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/serializer/protobuf"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/kubernetes/scheme"
	"k8s.io/client-go/rest"
)

func main() {
	if len(os.Args) < 2 {
		fail(fmt.Errorf("usage: clientgo-peer get|decode|list|informer|watch ..."))
	}
	var err error
	switch os.Args[1] {
	case "get":
		err = get(os.Args[2:])
	case "decode":
		err = decode(os.Args[2:])
	case "list":
		err = list(os.Args[2:])
	case "informer":
		err = informer(os.Args[2:])
	case "watch":
		err = watchEvents(os.Args[2:])
	default:
		err = fmt.Errorf("unknown case %q", os.Args[1])
	}
	if err != nil {
		fail(err)
	}
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "clientgo-peer:", err)
	os.Exit(1)
}

func metric(name string, value float64) {
	fmt.Printf("metric %s %.3f\n", name, value)
}

func median(v []float64) float64 {
	s := append([]float64(nil), v...)
	sort.Float64s(s)
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}

func get(args []string) error {
	fs := flag.NewFlagSet("get", flag.ExitOnError)
	server := fs.String("server", "", "API server URL (plain HTTP)")
	ns := fs.String("namespace", "default", "namespace")
	name := fs.String("name", "", "ConfigMap name")
	gets := fs.Int("gets", 1000, "GETs per round")
	rounds := fs.Int("rounds", 5, "rounds")
	_ = fs.Parse(args)
	config := &rest.Config{Host: *server, QPS: -1}
	// The other peers speak JSON to the same server.
	config.ContentType = "application/json"
	cs, err := kubernetes.NewForConfig(config)
	if err != nil {
		return err
	}
	cms := cs.CoreV1().ConfigMaps(*ns)
	ctx := context.Background()
	for i := 0; i < 200; i++ { // warm-up: connection, caches
		if _, err := cms.Get(ctx, *name, metav1.GetOptions{}); err != nil {
			return err
		}
	}
	var perGet []float64
	for r := 0; r < *rounds; r++ {
		start := time.Now()
		for i := 0; i < *gets; i++ {
			if _, err := cms.Get(ctx, *name, metav1.GetOptions{}); err != nil {
				return err
			}
		}
		perGet = append(perGet, float64(time.Since(start).Microseconds())/float64(*gets))
	}
	metric("get_seq_us", median(perGet))
	return nil
}

func decode(args []string) error {
	fs := flag.NewFlagSet("decode", flag.ExitOnError)
	path := fs.String("json", "", "PodList JSON file")
	rounds := fs.Int("rounds", 5, "decodes of each format")
	_ = fs.Parse(args)
	body, err := os.ReadFile(*path)
	if err != nil {
		return err
	}
	codecs := scheme.Codecs
	jsonInfo, ok := runtimeSerializer(codecs, "application/json")
	if !ok {
		return fmt.Errorf("no JSON serializer")
	}
	pbInfo, ok := runtimeSerializer(codecs, "application/vnd.kubernetes.protobuf")
	if !ok {
		return fmt.Errorf("no protobuf serializer")
	}
	decodeJSON := func(b []byte) (*corev1.PodList, error) {
		list := &corev1.PodList{}
		_, _, err := jsonInfo.Decode(b, nil, list)
		return list, err
	}
	decodePB := func(b []byte) (*corev1.PodList, error) {
		list := &corev1.PodList{}
		_, _, err := pbInfo.Decode(b, nil, list)
		return list, err
	}

	// The protobuf body: the same list, encoded once by client-go (k8s\0 envelope).
	probe, err := decodeJSON(body)
	if err != nil {
		return fmt.Errorf("decoding %s: %w", *path, err)
	}
	pods := len(probe.Items)
	if pods == 0 {
		return fmt.Errorf("%s holds no pods", *path)
	}
	probe.APIVersion, probe.Kind = "v1", "PodList"
	var pb strings.Builder
	if err := protobuf.NewSerializer(scheme.Scheme, scheme.Scheme).Encode(probe, &pb); err != nil {
		return fmt.Errorf("encoding protobuf: %w", err)
	}
	pbBody := []byte(pb.String())
	probe = nil
	if out := os.Getenv("CLIENTGO_PEER_WRITE_PB"); out != "" {
		if err := os.WriteFile(out, pbBody, 0o644); err != nil {
			return err
		}
	}

	rate := func(size int, f func([]byte) (*corev1.PodList, error), b []byte) (float64, error) {
		var mbps []float64
		for r := 0; r < *rounds; r++ {
			runtime.GC()
			start := time.Now()
			list, err := f(b)
			if err != nil {
				return 0, err
			}
			secs := time.Since(start).Seconds()
			if len(list.Items) != pods {
				return 0, fmt.Errorf("decoded %d pods, want %d", len(list.Items), pods)
			}
			mbps = append(mbps, float64(size)/1e6/secs)
		}
		return median(mbps), nil
	}
	jsonRate, err := rate(len(body), decodeJSON, body)
	if err != nil {
		return err
	}
	pbRate, err := rate(len(pbBody), decodePB, pbBody)
	if err != nil {
		return err
	}

	// Heap held by one decoded list (from JSON, as the other peers), after a GC, and the
	// allocations its decode made.
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	list, err := decodeJSON(body)
	if err != nil {
		return err
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	runtime.KeepAlive(list)
	// The bodies were live at the first reading; without this the compiler lets them die at
	// their last use (only their lengths are read below), the GC frees them before the second
	// reading, and the 98.5 MB JSON body is subtracted from the list's heap (8,166 instead of
	// about 18,000 bytes per pod).
	runtime.KeepAlive(body)
	runtime.KeepAlive(pbBody)
	heapPerPod := float64(after.HeapAlloc-before.HeapAlloc) / float64(pods)
	allocsPerPod := float64(after.Mallocs-before.Mallocs) / float64(pods)

	metric("decode_json_mbps", jsonRate)
	metric("decode_pb_mbps", pbRate)
	metric("decode_json_objs_per_s", jsonRate*1e6/(float64(len(body))/float64(pods)))
	metric("decode_pb_objs_per_s", pbRate*1e6/(float64(len(pbBody))/float64(pods)))
	metric("heap_per_pod_bytes", heapPerPod)
	metric("allocs_per_pod", allocsPerPod)
	metric("peak_rss_mib", peakRSSMiB())
	metric("pb_body_bytes", float64(len(pbBody)))
	return nil
}

// peakRSSMiB reads VmHWM from /proc/self/status.
func peakRSSMiB() float64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0
	}
	defer f.Close()
	s := bufio.NewScanner(f)
	for s.Scan() {
		line := s.Text()
		if strings.HasPrefix(line, "VmHWM:") {
			fields := strings.Fields(line)
			if len(fields) >= 2 {
				kb, _ := strconv.ParseFloat(fields[1], 64)
				return kb / 1024
			}
		}
	}
	return 0
}

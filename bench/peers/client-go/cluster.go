package main

// The cases that talk to the seeded server: a list end to end, an informer's sync and memory,
// and watch throughput. Each prints `metric <name> <value>` lines, as main.go's cases do.

import (
	"context"
	"flag"
	"fmt"
	"runtime"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/cache"
)

const (
	jsonType     = "application/json"
	protobufType = "application/vnd.kubernetes.protobuf"
)

// clientset speaks one wire format (JSON or protobuf) to server, without rate limiting.
func clientset(server, contentType string) (*kubernetes.Clientset, error) {
	config := &rest.Config{Host: server, QPS: -1}
	config.ContentType = contentType
	config.AcceptContentTypes = contentType
	return kubernetes.NewForConfig(config)
}

type serverFlags struct {
	server, namespace *string
	pods              *int
}

func addServerFlags(fs *flag.FlagSet) serverFlags {
	return serverFlags{
		server:    fs.String("server", "", "API server URL (plain HTTP)"),
		namespace: fs.String("namespace", "default", "namespace holding the pods"),
		pods:      fs.Int("pods", 10000, "pods the namespace holds"),
	}
}

// list times one whole list of the pods (one request, or pages of --page), decode included.
func list(args []string) error {
	fs := flag.NewFlagSet("list", flag.ExitOnError)
	sf := addServerFlags(fs)
	format := fs.String("format", "json", "json or pb")
	page := fs.Int64("page", 0, "page size (0: one request)")
	rounds := fs.Int("rounds", 3, "lists")
	_ = fs.Parse(args)
	contentType := jsonType
	if *format == "pb" {
		contentType = protobufType
	}
	cs, err := clientset(*sf.server, contentType)
	if err != nil {
		return err
	}
	pods := cs.CoreV1().Pods(*sf.namespace)
	ctx := context.Background()
	listAll := func() (int, error) {
		n, cont := 0, ""
		for {
			l, err := pods.List(ctx, metav1.ListOptions{Limit: *page, Continue: cont})
			if err != nil {
				return 0, err
			}
			n += len(l.Items)
			if cont = l.Continue; cont == "" {
				return n, nil
			}
		}
	}
	var times []float64
	for r := 0; r < *rounds; r++ {
		runtime.GC()
		start := time.Now()
		n, err := listAll()
		if err != nil {
			return err
		}
		times = append(times, float64(time.Since(start).Microseconds())/1e3)
		if n != *sf.pods {
			return fmt.Errorf("listed %d pods, want %d", n, *sf.pods)
		}
	}
	name := "list_" + *format
	if *page > 0 {
		name += "_paged"
	}
	metric(name+"_ms", median(times))
	return nil
}

// dropManagedFields is the transform the informer case uses (SetTransform semantics).
func dropManagedFields(obj interface{}) (interface{}, error) {
	if a, err := meta.Accessor(obj); err == nil {
		a.SetManagedFields(nil)
	}
	return obj, nil
}

// informer times a pod informer's sync and the heap its cache holds per object, after a GC.
func informer(args []string) error {
	fs := flag.NewFlagSet("informer", flag.ExitOnError)
	sf := addServerFlags(fs)
	transform := fs.Bool("transform", false, "drop managedFields before caching")
	_ = fs.Parse(args)
	cs, err := clientset(*sf.server, jsonType)
	if err != nil {
		return err
	}
	opts := []informers.SharedInformerOption{informers.WithNamespace(*sf.namespace)}
	if *transform {
		opts = append(opts, informers.WithTransform(dropManagedFields))
	}
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	factory := informers.NewSharedInformerFactoryWithOptions(cs, 0, opts...)
	inf := factory.Core().V1().Pods().Informer()
	stop := make(chan struct{})
	start := time.Now()
	factory.Start(stop)
	if !cache.WaitForCacheSync(stop, inf.HasSynced) {
		return fmt.Errorf("informer did not sync")
	}
	syncMs := float64(time.Since(start).Microseconds()) / 1e3
	n := len(inf.GetStore().ListKeys())
	if n != *sf.pods {
		return fmt.Errorf("informer holds %d pods, want %d", n, *sf.pods)
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	runtime.KeepAlive(inf)
	perObj := float64(int64(after.HeapAlloc)-int64(before.HeapAlloc)) / float64(n)
	close(stop)
	factory.Shutdown()
	if *transform {
		metric("informer_bytes_per_obj_transformed", perObj)
		metric("informer_sync_transformed_ms", syncMs)
	} else {
		metric("informer_bytes_per_obj", perObj)
		metric("informer_sync_ms", syncMs)
	}
	return nil
}

// watchEvents times --events MODIFIED events replayed from --from.
func watchEvents(args []string) error {
	fs := flag.NewFlagSet("watch", flag.ExitOnError)
	sf := addServerFlags(fs)
	from := fs.String("from", "", "resourceVersion to watch from")
	events := fs.Int("events", 10000, "MODIFIED events to wait for")
	_ = fs.Parse(args)
	cs, err := clientset(*sf.server, jsonType)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	runtime.GC()
	start := time.Now()
	w, err := cs.CoreV1().Pods(*sf.namespace).Watch(ctx, metav1.ListOptions{ResourceVersion: *from})
	if err != nil {
		return err
	}
	defer w.Stop()
	seen := 0
	for seen < *events {
		e, ok := <-w.ResultChan()
		if !ok {
			return fmt.Errorf("watch ended after %d events", seen)
		}
		switch e.Type {
		case watch.Modified:
			if _, ok := e.Object.(*corev1.Pod); !ok {
				return fmt.Errorf("event object is %T", e.Object)
			}
			seen++
		case watch.Error:
			return fmt.Errorf("watch error: %v", e.Object)
		}
	}
	metric("watch_events_per_s", float64(seen)/time.Since(start).Seconds())
	return nil
}

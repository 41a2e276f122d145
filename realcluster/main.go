// Command realcluster runs a real Kubernetes control plane on loopback for kubeclient's tests:
// etcd embedded in this process, kube-apiserver in this process, and kube-controller-manager as
// a child process (the same binary, `realcluster controller-manager ...`), because
// kube-apiserver's command installs a signal handler that may be set up only once per process.
//
//	realcluster --dir DIR --kubeconfig-out FILE
//
// writes an admin kubeconfig (client certificate in system:masters) once /readyz answers, prints
// `ready <kubeconfig>` on stdout, and runs until SIGINT/SIGTERM (or, with --exit-on-stdin-eof,
// until its standard input closes), stopping its child.
package main

import (
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"go.etcd.io/etcd/server/v3/embed"
	apiserver "k8s.io/kubernetes/cmd/kube-apiserver/app"
	controllermanager "k8s.io/kubernetes/cmd/kube-controller-manager/app"
)

// controllers are the kube-controller-manager loops the tests rely on: Deployments create
// ReplicaSets and Pods, namespaces finish terminating, dependents are garbage collected, and
// every namespace gets its default ServiceAccount with a token.
var controllers = []string{
	"deployment-controller",
	"replicaset-controller",
	"statefulset-controller",
	"job-controller",
	"garbage-collector-controller",
	"namespace-controller",
	"serviceaccount-controller",
	"serviceaccount-token-controller",
}

func main() {
	if len(os.Args) > 1 && os.Args[1] == "controller-manager" {
		cmd := controllermanager.NewControllerManagerCommand()
		cmd.SetArgs(os.Args[2:])
		if err := cmd.Execute(); err != nil {
			fmt.Fprintln(os.Stderr, "kube-controller-manager:", err)
			os.Exit(1)
		}
		return
	}
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "realcluster:", err)
		os.Exit(1)
	}
}

func run() error {
	dir := flag.String("dir", "", "working directory for etcd data, certificates and logs (created)")
	kubeconfigOut := flag.String("kubeconfig-out", "", "where to write the admin kubeconfig")
	stdinEOF := flag.Bool("exit-on-stdin-eof", false, "stop when standard input closes (a test process that started this one has exited)")
	flag.Parse()
	if *dir == "" || *kubeconfigOut == "" {
		return fmt.Errorf("usage: realcluster --dir DIR --kubeconfig-out FILE")
	}
	if err := os.MkdirAll(*dir, 0o700); err != nil {
		return err
	}
	pki, err := writePKI(filepath.Join(*dir, "pki"))
	if err != nil {
		return fmt.Errorf("certificates: %w", err)
	}

	ports, err := freePorts(3)
	if err != nil {
		return err
	}
	etcdURL, err := startEtcd(filepath.Join(*dir, "etcd"), ports[0], ports[1])
	if err != nil {
		return fmt.Errorf("etcd: %w", err)
	}

	apiPort := ports[2]
	server := fmt.Sprintf("https://127.0.0.1:%d", apiPort)
	apiErr := make(chan error, 1)
	go func() {
		cmd := apiserver.NewAPIServerCommand()
		cmd.SetArgs(apiserverFlags(pki, etcdURL, apiPort))
		apiErr <- cmd.Execute()
	}()
	if err := waitReady(server, pki, apiErr); err != nil {
		return err
	}

	adminKubeconfig := filepath.Join(*dir, "admin.kubeconfig")
	if err := writeKubeconfig(adminKubeconfig, server, pki); err != nil {
		return err
	}
	kcm, err := startControllerManager(*dir, adminKubeconfig, pki)
	if err != nil {
		return fmt.Errorf("kube-controller-manager: %w", err)
	}
	defer func() {
		_ = kcm.Process.Kill()
		_, _ = kcm.Process.Wait()
	}()
	if err := writeKubeconfig(*kubeconfigOut, server, pki); err != nil {
		return err
	}
	fmt.Printf("ready %s\n", *kubeconfigOut)

	signals := make(chan os.Signal, 1)
	signal.Notify(signals, syscall.SIGINT, syscall.SIGTERM)
	kcmDone := make(chan error, 1)
	go func() { kcmDone <- kcm.Wait() }()
	parentGone := make(chan struct{})
	if *stdinEOF {
		go func() {
			_, _ = io.Copy(io.Discard, os.Stdin)
			close(parentGone)
		}()
	}
	select {
	case <-signals:
		return nil
	case <-parentGone:
		return nil
	case err := <-apiErr:
		return fmt.Errorf("kube-apiserver stopped: %v", err)
	case err := <-kcmDone:
		return fmt.Errorf("kube-controller-manager stopped: %v", err)
	}
}

// freePorts reserves n loopback ports by binding them all at once, then frees them for the
// servers that start right after.
func freePorts(n int) ([]int, error) {
	var listeners []net.Listener
	defer func() {
		for _, l := range listeners {
			_ = l.Close()
		}
	}()
	ports := make([]int, 0, n)
	for i := 0; i < n; i++ {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, err
		}
		listeners = append(listeners, l)
		ports = append(ports, l.Addr().(*net.TCPAddr).Port)
	}
	return ports, nil
}

func startEtcd(dir string, clientPort, peerPort int) (string, error) {
	cfg := embed.NewConfig()
	cfg.Name = "realcluster"
	cfg.Dir = dir
	cfg.UnsafeNoFsync = true // test data: durability is not wanted, speed is
	cfg.LogLevel = "error"
	clientURL := url.URL{Scheme: "http", Host: fmt.Sprintf("127.0.0.1:%d", clientPort)}
	peerURL := url.URL{Scheme: "http", Host: fmt.Sprintf("127.0.0.1:%d", peerPort)}
	cfg.ListenClientUrls = []url.URL{clientURL}
	cfg.AdvertiseClientUrls = []url.URL{clientURL}
	cfg.ListenPeerUrls = []url.URL{peerURL}
	cfg.AdvertisePeerUrls = []url.URL{peerURL}
	cfg.InitialCluster = cfg.InitialClusterFromName(cfg.Name)
	e, err := embed.StartEtcd(cfg)
	if err != nil {
		return "", err
	}
	select {
	case <-e.Server.ReadyNotify():
		return clientURL.String(), nil
	case err := <-e.Err():
		return "", err
	case <-time.After(60 * time.Second):
		e.Close()
		return "", fmt.Errorf("not ready after 60 s")
	}
}

func apiserverFlags(pki *pkiFiles, etcdURL string, port int) []string {
	return []string{
		"--etcd-servers=" + etcdURL,
		"--advertise-address=127.0.0.1",
		"--bind-address=127.0.0.1",
		fmt.Sprintf("--secure-port=%d", port),
		"--cert-dir=" + pki.dir,
		"--tls-cert-file=" + pki.servingCert,
		"--tls-private-key-file=" + pki.servingKey,
		"--client-ca-file=" + pki.caCert,
		"--token-auth-file=" + pki.tokenFile,
		"--service-cluster-ip-range=10.0.0.0/24",
		"--service-account-issuer=https://kubernetes.default.svc.cluster.local",
		"--service-account-key-file=" + pki.saPub,
		"--service-account-signing-key-file=" + pki.saKey,
		"--api-audiences=https://kubernetes.default.svc.cluster.local",
		"--authorization-mode=RBAC",
		"--endpoint-reconciler-type=none",
		"--allow-privileged=true",
		"--enable-priority-and-fairness=false",
		"--v=0",
	}
}

// waitReady polls /readyz with the admin client certificate until it answers 200.
func waitReady(server string, pki *pkiFiles, apiErr <-chan error) error {
	client, err := pki.adminHTTPClient()
	if err != nil {
		return err
	}
	deadline := time.Now().Add(3 * time.Minute)
	for time.Now().Before(deadline) {
		select {
		case err := <-apiErr:
			return fmt.Errorf("kube-apiserver exited before it was ready: %v", err)
		default:
		}
		resp, err := client.Get(server + "/readyz")
		if err == nil {
			_ = resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		time.Sleep(200 * time.Millisecond)
	}
	return fmt.Errorf("kube-apiserver not ready after 3 minutes")
}

func startControllerManager(dir, kubeconfig string, pki *pkiFiles) (*exec.Cmd, error) {
	self, err := os.Executable()
	if err != nil {
		return nil, err
	}
	logFile, err := os.Create(filepath.Join(dir, "kube-controller-manager.log"))
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(self, "controller-manager",
		"--kubeconfig="+kubeconfig,
		"--leader-elect=false",
		"--controllers="+strings.Join(controllers, ","),
		"--service-account-private-key-file="+pki.saKey,
		"--root-ca-file="+pki.caCert,
		"--use-service-account-credentials=false",
		"--secure-port=0",
		"--v=0",
	)
	cmd.Stdout = logFile
	cmd.Stderr = logFile
	// The child dies with this process even when this process is killed outright.
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	return cmd, nil
}

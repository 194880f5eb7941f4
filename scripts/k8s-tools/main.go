// k8s-tools: the two checks of the Kubernetes manifests that need Go libraries (run by
// scripts/check-k8s.py, built and cached by scripts/install-test-services.sh).
//
//	k8s-tools build DIR   prints what `kubectl apply -k DIR` would apply: the kustomization built
//	                      with kustomize's own library (the one kubectl embeds).
//	k8s-tools crd FILE    strictly decodes the prometheus-operator resources of a multi-document
//	                      YAML file (ServiceMonitor, PrometheusRule), for which kubernetes-validate
//	                      ships no schema, into prometheus-operator's own API types: an unknown or
//	                      misspelt field or a wrong type fails, as kubernetes-validate --strict
//	                      fails them for the built-in kinds. Other kinds are skipped.
package main

import (
	"bytes"
	"fmt"
	"os"

	monitoringv1 "github.com/prometheus-operator/prometheus-operator/pkg/apis/monitoring/v1"
	"sigs.k8s.io/kustomize/api/krusty"
	"sigs.k8s.io/kustomize/kyaml/filesys"
	"sigs.k8s.io/yaml"
)

func build(dir string) error {
	resources, err := krusty.MakeKustomizer(krusty.MakeDefaultOptions()).Run(filesys.MakeFsOnDisk(), dir)
	if err != nil {
		return err
	}
	out, err := resources.AsYaml()
	if err != nil {
		return err
	}
	_, err = os.Stdout.Write(out)
	return err
}

type typeMeta struct {
	APIVersion string `json:"apiVersion"`
	Kind       string `json:"kind"`
	Metadata   struct {
		Name string `json:"name"`
	} `json:"metadata"`
}

// checkDocument decodes one YAML document; it returns "" for a kind it does not check.
func checkDocument(doc []byte) (string, error) {
	var meta typeMeta
	if err := yaml.Unmarshal(doc, &meta); err != nil {
		return "", err
	}
	var problem error
	switch meta.Kind {
	case monitoringv1.ServiceMonitorsKind:
		var sm monitoringv1.ServiceMonitor
		if problem = yaml.UnmarshalStrict(doc, &sm); problem == nil && len(sm.Spec.Endpoints) == 0 {
			problem = fmt.Errorf("spec.endpoints is empty")
		}
	case monitoringv1.PrometheusRuleKind:
		var rule monitoringv1.PrometheusRule
		if problem = yaml.UnmarshalStrict(doc, &rule); problem == nil {
			problem = checkRules(rule)
		}
	default:
		return "", nil
	}
	if want := monitoringv1.SchemeGroupVersion.String(); problem == nil && meta.APIVersion != want {
		problem = fmt.Errorf("apiVersion %q, want %q", meta.APIVersion, want)
	}
	return meta.Kind + "/" + meta.Metadata.Name, problem
}

func checkRules(rule monitoringv1.PrometheusRule) error {
	if len(rule.Spec.Groups) == 0 {
		return fmt.Errorf("spec.groups is empty")
	}
	for _, group := range rule.Spec.Groups {
		for i, r := range group.Rules {
			if r.Expr.String() == "" || (r.Alert == "") == (r.Record == "") {
				return fmt.Errorf("group %q rule %d: needs an expr and exactly one of alert and record", group.Name, i)
			}
		}
	}
	return nil
}

func checkFile(path string) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	failed := false
	for _, doc := range bytes.Split(data, []byte("\n---\n")) {
		name, err := checkDocument(doc)
		switch {
		case err != nil:
			fmt.Fprintf(os.Stderr, "k8s: %s %s: %v\n", path, name, err)
			failed = true
		case name != "":
			fmt.Printf("k8s: %s valid (strict, prometheus-operator %s types)\n", name, monitoringv1.SchemeGroupVersion)
		}
	}
	if failed {
		return fmt.Errorf("%s: prometheus-operator resources did not validate", path)
	}
	return nil
}

func main() {
	if len(os.Args) != 3 || (os.Args[1] != "build" && os.Args[1] != "crd") {
		fmt.Fprintln(os.Stderr, "usage: k8s-tools build DIR | k8s-tools crd FILE")
		os.Exit(2)
	}
	var err error
	if os.Args[1] == "build" {
		err = build(os.Args[2])
	} else {
		err = checkFile(os.Args[2])
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "k8s:", err)
		os.Exit(1)
	}
}

package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// deployDir holds the Kubernetes recipe of README's "Beyond one machine".
const deployDir = "../../deploy/kubernetes"

// manifest is the part of a Kubernetes object the recipe's check reads.
type manifest struct {
	APIVersion string `yaml:"apiVersion"`
	Kind       string `yaml:"kind"`
	Metadata   struct {
		Name   string            `yaml:"name"`
		Labels map[string]string `yaml:"labels"`
	} `yaml:"metadata"`
	Spec struct {
		Replicas    *int      `yaml:"replicas"`
		ServiceName string    `yaml:"serviceName"`
		Selector    yaml.Node `yaml:"selector"`
		Ports       []struct {
			Name       string `yaml:"name"`
			Port       int    `yaml:"port"`
			TargetPort int    `yaml:"targetPort"`
		} `yaml:"ports"`
		BackoffLimit *int     `yaml:"backoffLimit"`
		AccessModes  []string `yaml:"accessModes"`
		Resources    struct {
			Requests map[string]string `yaml:"requests"`
		} `yaml:"resources"`
		Template struct {
			Metadata struct {
				Labels map[string]string `yaml:"labels"`
			} `yaml:"metadata"`
			Spec podSpec `yaml:"spec"`
		} `yaml:"template"`
		VolumeClaimTemplates []struct {
			Metadata struct {
				Name string `yaml:"name"`
			} `yaml:"metadata"`
			Spec struct {
				AccessModes []string `yaml:"accessModes"`
				Resources   struct {
					Requests map[string]string `yaml:"requests"`
				} `yaml:"resources"`
			} `yaml:"spec"`
		} `yaml:"volumeClaimTemplates"`
	} `yaml:"spec"`
}

type podSpec struct {
	RestartPolicy                 string `yaml:"restartPolicy"`
	TerminationGracePeriodSeconds *int   `yaml:"terminationGracePeriodSeconds"`
	Containers                    []struct {
		Name  string   `yaml:"name"`
		Image string   `yaml:"image"`
		Args  []string `yaml:"args"`
		Ports []struct {
			Name          string `yaml:"name"`
			ContainerPort int    `yaml:"containerPort"`
		} `yaml:"ports"`
		Env []struct {
			Name      string `yaml:"name"`
			Value     string `yaml:"value"`
			ValueFrom *struct {
				FieldRef struct {
					FieldPath string `yaml:"fieldPath"`
				} `yaml:"fieldRef"`
			} `yaml:"valueFrom"`
		} `yaml:"env"`
		VolumeMounts []struct {
			Name      string `yaml:"name"`
			MountPath string `yaml:"mountPath"`
		} `yaml:"volumeMounts"`
	} `yaml:"containers"`
	Volumes []struct {
		Name                  string `yaml:"name"`
		PersistentVolumeClaim *struct {
			ClaimName string `yaml:"claimName"`
		} `yaml:"persistentVolumeClaim"`
	} `yaml:"volumes"`
}

// apiVersions is the API group of each kind the recipe uses.
var apiVersions = map[string]string{"Service": "v1", "PersistentVolumeClaim": "v1", "StatefulSet": "apps/v1",
	"Deployment": "apps/v1", "Job": "batch/v1"}

// TestKubernetesRecipe checks the manifests of deploy/kubernetes as
// `kubectl apply --dry-run=client` would need them, by a small schema of
// the fields they use (an unknown field, such as a misspelt one, fails;
// the k8s API types are too heavy a dependency for this): the API version of
// each kind, names, selectors that match their pods' labels, containers
// with images, volumes that exist), that every claim and Service they
// name is in the recipe, and that poolflow's own arguments parse: the
// worker's and the submitter's flags, and a --cluster URL that names the
// NATS Service and its port.
func TestKubernetesRecipe(t *testing.T) {
	objs := readManifests(t)
	byKind := map[string][]manifest{}
	for _, m := range objs {
		byKind[m.Kind] = append(byKind[m.Kind], m)
		if err := checkManifest(m); err != nil {
			t.Errorf("%s %s: %v", m.Kind, m.Metadata.Name, err)
		}
	}
	for _, kind := range []string{"Service", "StatefulSet", "Deployment", "Job", "PersistentVolumeClaim"} {
		if len(byKind[kind]) == 0 {
			t.Errorf("the recipe has no %s", kind)
		}
	}
	claims := names(byKind["PersistentVolumeClaim"])
	services := map[string]int{}
	for _, s := range byKind["Service"] {
		for _, p := range s.Spec.Ports {
			services[fmt.Sprintf("%s:%d", s.Metadata.Name, p.Port)]++
		}
	}
	for _, m := range append(byKind["Deployment"], byKind["Job"]...) {
		for _, v := range m.Spec.Template.Spec.Volumes {
			if v.PersistentVolumeClaim != nil && !slices.Contains(claims, v.PersistentVolumeClaim.ClaimName) {
				t.Errorf("%s %s: claim %q is not in the recipe", m.Kind, m.Metadata.Name, v.PersistentVolumeClaim.ClaimName)
			}
		}
		for _, c := range m.Spec.Template.Spec.Containers {
			if err := checkPoolflowArgs(c.Args, services); err != nil {
				t.Errorf("%s %s: %v", m.Kind, m.Metadata.Name, err)
			}
		}
	}
}

func readManifests(t *testing.T) []manifest {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(deployDir, "*.yaml"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no manifests in %s: %v", deployDir, err)
	}
	var out []manifest
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		dec := yaml.NewDecoder(bytes.NewReader(b))
		dec.KnownFields(true)
		for {
			var m manifest
			if err := dec.Decode(&m); errors.Is(err, io.EOF) {
				break
			} else if err != nil {
				t.Fatalf("%s: %v", f, err)
			}
			out = append(out, m)
		}
	}
	return out
}

// checkManifest checks the fields an object of its kind needs.
func checkManifest(m manifest) error {
	want, ok := apiVersions[m.Kind]
	switch {
	case !ok:
		return fmt.Errorf("kind %q is not one the recipe should need", m.Kind)
	case m.APIVersion != want:
		return fmt.Errorf("apiVersion %q, want %q", m.APIVersion, want)
	case m.Metadata.Name == "":
		return errors.New("no metadata.name")
	}
	switch m.Kind {
	case "Service":
		if len(m.Spec.Ports) == 0 {
			return errors.New("no ports")
		}
	case "PersistentVolumeClaim":
		if len(m.Spec.AccessModes) == 0 || m.Spec.Resources.Requests["storage"] == "" {
			return errors.New("no accessModes or storage request")
		}
	case "StatefulSet", "Deployment":
		if m.Kind == "StatefulSet" && m.Spec.ServiceName == "" {
			return errors.New("no serviceName")
		}
		if err := checkSelector(m); err != nil {
			return err
		}
		return checkPod(m.Spec.Template.Spec, m)
	case "Job":
		if p := m.Spec.Template.Spec.RestartPolicy; p != "Never" && p != "OnFailure" {
			return fmt.Errorf("restartPolicy %q: a Job's must be Never or OnFailure", p)
		}
		return checkPod(m.Spec.Template.Spec, m)
	}
	return nil
}

func checkSelector(m manifest) error {
	var sel struct {
		MatchLabels map[string]string `yaml:"matchLabels"`
	}
	if err := m.Spec.Selector.Decode(&sel); err != nil || len(sel.MatchLabels) == 0 {
		return errors.New("no selector.matchLabels")
	}
	for k, v := range sel.MatchLabels {
		if m.Spec.Template.Metadata.Labels[k] != v {
			return fmt.Errorf("selector %s=%s does not match the pod template's labels", k, v)
		}
	}
	return nil
}

func checkPod(p podSpec, m manifest) error {
	if len(p.Containers) == 0 {
		return errors.New("no containers")
	}
	volumes := map[string]bool{}
	for _, v := range p.Volumes {
		volumes[v.Name] = true
	}
	for _, t := range m.Spec.VolumeClaimTemplates {
		volumes[t.Metadata.Name] = true
	}
	for _, c := range p.Containers {
		if c.Name == "" || c.Image == "" {
			return errors.New("a container without name or image")
		}
		for _, vm := range c.VolumeMounts {
			if !volumes[vm.Name] || vm.MountPath == "" {
				return fmt.Errorf("container %s mounts %q, which is not a volume of the pod", c.Name, vm.Name)
			}
		}
	}
	return nil
}

// checkPoolflowArgs parses a poolflow container's arguments with the
// real commands' flags; containers of other programs (nats) are let be.
func checkPoolflowArgs(args []string, services map[string]int) error {
	if len(args) == 0 || (args[0] != "worker" && args[0] != "run") {
		return nil
	}
	cmd := newWorker(io.Discard)
	if args[0] == "run" {
		cmd = newRun(io.Discard, io.Discard)
	}
	if err := cmd.ParseFlags(args[1:]); err != nil {
		return fmt.Errorf("poolflow %s: %v", args[0], err)
	}
	target := cmd.Flags().Lookup("cluster").Value.String()
	u, err := url.Parse(target)
	if err != nil || u.Scheme != "nats" || services[u.Host] == 0 {
		return fmt.Errorf("--cluster %q names no Service port of the recipe", target)
	}
	if args[0] == "run" && (len(cmd.Flags().Args()) != 1 || !strings.HasSuffix(cmd.Flags().Args()[0], ".yaml")) {
		return fmt.Errorf("poolflow run: want one pipeline file, got %q", cmd.Flags().Args())
	}
	return nil
}

func names(ms []manifest) []string {
	var out []string
	for _, m := range ms {
		out = append(out, m.Metadata.Name)
	}
	return out
}

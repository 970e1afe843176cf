"""A kubelet-like client of containerd's CRI plugin (runtime.v1 over gRPC, lib/cri.proto):
what the tests need of the kubelet's calls, with the defaults the kubelet gives a pod
(masked and read-only paths, a pod cgroup parent, a log directory). No Kubernetes
dependency: grpcio and the stubs generated from lib/cri.proto at run time."""
import json
import os
import time

import grpc

import cri_pb2 as api
import cri_pb2_grpc as rpc

# The kubelet's defaults for a container's masked and read-only paths (k8s.io/kubernetes
# pkg/securitycontext: DefaultProcMount); /proc/kcore is there even where the host has none.
MASKED_PATHS = ["/proc/acpi", "/proc/kcore", "/proc/keys", "/proc/latency_stats", "/proc/timer_list",
                "/proc/timer_stats", "/proc/sched_debug", "/proc/scsi", "/sys/firmware"]
READONLY_PATHS = ["/proc/asound", "/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"]


class Kubelet:
    """One CRI connection; `handler` is the RuntimeClass handler every pod gets."""

    def __init__(self, socket, handler, cgroup_parent, log_root, busybox, timeout=60):
        self.channel = grpc.insecure_channel("unix://" + socket)
        self.runtime = rpc.RuntimeServiceStub(self.channel)
        self.images = rpc.ImageServiceStub(self.channel)
        self.handler = handler
        self.cgroup_parent = cgroup_parent
        self.log_root = log_root
        self.busybox = busybox
        self.timeout = timeout
        self.pods = {}  # pod id -> PodSandboxConfig, for CreateContainer and the clean-up

    def close(self):
        self.channel.close()

    # -- pods -----------------------------------------------------------------------------

    def run_pod(self, name, share_pid=False, host_network=False, privileged=False, annotations=None):
        """RunPodSandbox as the kubelet does for a pod named NAME: its own cgroup parent
        (<cgroup_parent>/pod-NAME), log directory and hostname; pid namespace shared by the
        pod's containers when `share_pid` (shareProcessNamespace), else one per container."""
        uid = "uid-" + name
        ns = api.NamespaceOption(network=api.NODE if host_network else api.POD,
                                 pid=api.POD if share_pid else api.CONTAINER, ipc=api.POD)
        config = api.PodSandboxConfig(
            metadata=api.PodSandboxMetadata(name=name, uid=uid, namespace="swiftlet-kube", attempt=0),
            hostname="" if host_network else name,
            log_directory=os.path.join(self.log_root, name),
            labels={"swiftlet-kube": "1", "pod": name},
            annotations=annotations or {},
            linux=api.LinuxPodSandboxConfig(
                cgroup_parent=self.pod_cgroup(name),
                security_context=api.LinuxSandboxSecurityContext(
                    namespace_options=ns, privileged=privileged,
                    seccomp=api.SecurityProfile(profile_type=api.SecurityProfile.RuntimeDefault))))
        os.makedirs(config.log_directory, exist_ok=True)
        pod = self.runtime.RunPodSandbox(
            api.RunPodSandboxRequest(config=config, runtime_handler=self.handler), timeout=self.timeout).pod_sandbox_id
        self.pods[pod] = config
        return pod

    def pod_cgroup(self, name):
        return "%s/pod-%s" % (self.cgroup_parent, name)

    def pod_status(self, pod):
        r = self.runtime.PodSandboxStatus(api.PodSandboxStatusRequest(pod_sandbox_id=pod, verbose=True),
                                          timeout=self.timeout)
        return r.status, json.loads(r.info.get("info", "{}"))

    def stop_pod(self, pod):
        self.runtime.StopPodSandbox(api.StopPodSandboxRequest(pod_sandbox_id=pod), timeout=self.timeout)

    def remove_pod(self, pod):
        self.runtime.RemovePodSandbox(api.RemovePodSandboxRequest(pod_sandbox_id=pod), timeout=self.timeout)
        self.pods.pop(pod, None)

    def list_pods(self):
        return list(self.runtime.ListPodSandbox(api.ListPodSandboxRequest(), timeout=self.timeout).items)

    # -- containers -----------------------------------------------------------------------

    def create(self, pod, name, script=None, command=None, env=None, mounts=None, resources=None,
               security=None, image=None, annotations=None):
        """CreateContainer NAME in POD running `sh -c SCRIPT` (or COMMAND) from busybox, with
        the kubelet's masked and read-only paths and RuntimeDefault seccomp unless SECURITY
        (a dict of LinuxContainerSecurityContext fields) says otherwise."""
        config = self.pods[pod]
        sec = {"masked_paths": MASKED_PATHS, "readonly_paths": READONLY_PATHS,
               "seccomp": api.SecurityProfile(profile_type=api.SecurityProfile.RuntimeDefault),
               "namespace_options": config.linux.security_context.namespace_options}
        sec.update(security or {})
        if sec.get("privileged"):
            sec.pop("masked_paths"), sec.pop("readonly_paths")
        cc = api.ContainerConfig(
            metadata=api.ContainerMetadata(name=name, attempt=0),
            image=api.ImageSpec(image=image or self.busybox),
            command=command or ["sh", "-c", script],
            envs=[api.KeyValue(key=k, value=v) for k, v in (env or {}).items()],
            mounts=mounts or [],
            labels={"swiftlet-kube": "1"},
            annotations=annotations or {},
            log_path=name + ".log",
            linux=api.LinuxContainerConfig(
                resources=resources or api.LinuxContainerResources(),
                security_context=api.LinuxContainerSecurityContext(**sec)))
        return self.runtime.CreateContainer(
            api.CreateContainerRequest(pod_sandbox_id=pod, config=cc, sandbox_config=config),
            timeout=self.timeout).container_id

    def start(self, ctr):
        self.runtime.StartContainer(api.StartContainerRequest(container_id=ctr), timeout=self.timeout)

    def run(self, pod, name, script, **kw):
        ctr = self.create(pod, name, script, **kw)
        self.start(ctr)
        return ctr

    def status(self, ctr):
        r = self.runtime.ContainerStatus(api.ContainerStatusRequest(container_id=ctr, verbose=True),
                                         timeout=self.timeout)
        return r.status, json.loads(r.info.get("info", "{}"))

    def wait_exited(self, ctr, seconds=20):
        """The container's status once it is EXITED; None if it is not within SECONDS."""
        deadline = time.monotonic() + seconds
        while True:
            status, _ = self.status(ctr)
            if status.state == api.CONTAINER_EXITED:
                return status
            if time.monotonic() > deadline:
                return None
            time.sleep(0.1)

    def stop(self, ctr, timeout):
        self.runtime.StopContainer(api.StopContainerRequest(container_id=ctr, timeout=timeout),
                                   timeout=self.timeout + timeout)

    def remove(self, ctr):
        self.runtime.RemoveContainer(api.RemoveContainerRequest(container_id=ctr), timeout=self.timeout)

    def exec_sync(self, ctr, cmd, timeout=10):
        r = self.runtime.ExecSync(api.ExecSyncRequest(container_id=ctr, cmd=cmd, timeout=timeout),
                                  timeout=self.timeout + timeout)
        return r.exit_code, r.stdout.decode(errors="replace"), r.stderr.decode(errors="replace")

    def sh(self, ctr, script, timeout=10):
        return self.exec_sync(ctr, ["sh", "-c", script], timeout)

    def update(self, ctr, resources):
        self.runtime.UpdateContainerResources(
            api.UpdateContainerResourcesRequest(container_id=ctr, linux=resources), timeout=self.timeout)

    def stats(self, ctr):
        return self.runtime.ContainerStats(api.ContainerStatsRequest(container_id=ctr),
                                           timeout=self.timeout).stats

    def list_containers(self, pod=None):
        f = api.ContainerFilter(pod_sandbox_id=pod or "")
        return list(self.runtime.ListContainers(api.ListContainersRequest(filter=f), timeout=self.timeout).containers)

    def log_file(self, pod, ctr_name):
        return os.path.join(self.pods[pod].log_directory, ctr_name + ".log")

    # -- clean-up -------------------------------------------------------------------------

    def remove_all(self):
        """Every pod this client made: stopped and removed (what the kubelet does when a pod
        is deleted). Returns the errors, as text."""
        errors = []
        for pod in list(self.pods):
            for step in (self.stop_pod, self.remove_pod):
                try:
                    step(pod)
                except grpc.RpcError as e:
                    errors.append("%s %s: %s" % (step.__name__, pod[:12], e.details()))
            self.pods.pop(pod, None)
        return errors


def mount(host_path, container_path, readonly=False, propagation=api.PROPAGATION_PRIVATE):
    return api.Mount(host_path=host_path, container_path=container_path, readonly=readonly,
                     propagation=propagation)


def resources(**kw):
    return api.LinuxContainerResources(**kw)

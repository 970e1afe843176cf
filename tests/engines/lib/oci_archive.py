#!/usr/bin/env python3
"""oci_archive.py LAYER.tar NAME OUT.tar [CONFIG-JSON]: a deterministic OCI image archive
(oci-layout, index.json, blobs/sha256/...) of one uncompressed layer, named NAME, for
`ctr image import` and `podman load`. CONFIG-JSON (an object) replaces fields of the image
config's `config` (Entrypoint, Cmd, Env, ...): tests/kubernetes's pause image."""
import hashlib, io, json, sys, tarfile

layer_path, name, out = sys.argv[1:4]
overrides = json.loads(sys.argv[4]) if len(sys.argv) > 4 else {}
layer = open(layer_path, "rb").read()
blobs = {}

def blob(data, media):
    digest = "sha256:" + hashlib.sha256(data).hexdigest()
    blobs[digest] = data
    return {"mediaType": media, "digest": digest, "size": len(data)}

def dump(obj):
    return json.dumps(obj, sort_keys=True, separators=(",", ":")).encode()

layer_desc = blob(layer, "application/vnd.oci.image.layer.v1.tar")
config = {
    "architecture": "amd64", "os": "linux",
    "config": dict({"Env": ["PATH=/bin"], "Cmd": ["sh"], "WorkingDir": "/"}, **overrides),
    "rootfs": {"type": "layers", "diff_ids": [layer_desc["digest"]]},
}
config_desc = blob(dump(config), "application/vnd.oci.image.config.v1+json")
manifest = {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
            "config": config_desc, "layers": [layer_desc]}
manifest_desc = blob(dump(manifest), "application/vnd.oci.image.manifest.v1+json")
manifest_desc["annotations"] = {"io.containerd.image.name": name,
                                "org.opencontainers.image.ref.name": name.rsplit(":", 1)[-1]}
index = {"schemaVersion": 2, "manifests": [manifest_desc]}

with tarfile.open(out, "w") as tar:
    def add(path, data):
        info = tarfile.TarInfo(path)
        info.size, info.mode, info.mtime = len(data), 0o644, 0
        tar.addfile(info, io.BytesIO(data))
    add("oci-layout", dump({"imageLayoutVersion": "1.0.0"}))
    add("index.json", dump(index))
    for digest, data in sorted(blobs.items()):
        add("blobs/sha256/" + digest.split(":", 1)[1], data)

// User namespaces for containers, the way rootful runtimes with id-mapped
// storage do it:
//
//  - the user namespace is made up front by a short-lived holder process
//    (clone(CLONE_NEWUSER), maps written by us, its /proc/PID/ns/user kept
//    open, the holder killed): the container's child is cloned WITHOUT
//    CLONE_NEWUSER, so its other namespaces belong to the host's user
//    namespace. The child joins paths (a named network namespace, even the
//    host's), mounts the rootfs, /proc, /sys and /dev as the host's root, and
//    setns()es into the user namespace last, just before execve. The
//    container's root then has capabilities only over its user namespace,
//    not over its mount, network or pid namespaces.
//  - the image's layers (owned by the host's root) are id-mapped mounts
//    (open_tree + mount_setattr(MOUNT_ATTR_IDMAP)) given to overlayfs as fds
//    (fsconfig FSCONFIG_SET_FD "lowerdir+", Linux ≥ 6.13): inside, the
//    layers' files belong to the container's root (host uid hostID), so
//    copy-up and writes work, and the shared layer dirs on disk are never
//    chowned. The upper and work dirs belong to hostID (the engine chowns
//    them): what the container writes is owned by its mapped ids on disk,
//    never by the host's root.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

#include "error.h"
#include "spec.h"
#include "unique_fd.h"

namespace berth::monitor {

// A new user namespace with the spec's uid/gid maps, as an fd of its nsfs file.
bool MakeUserNamespace(const Spec& spec, UniqueFd* userns, Error* error);

// One detached id-mapped clone of each dir (same order), mapped by `userns`.
bool IdmapDirs(const std::vector<std::string>& dirs, int userns, std::vector<UniqueFd>* out, Error* error);

// The host id that `id` inside the namespace maps to; false when unmapped.
bool MapToHostId(const std::vector<IdMapping>& maps, uint32_t id, uint32_t* host);

// Writes /proc/PID/<file> ("uid_map", "gid_map") in one write(2).
bool WriteIdMap(pid_t pid, const char* file, const std::vector<IdMapping>& maps, Error* error);

}  // namespace berth::monitor

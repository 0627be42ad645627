# Shared by bin/ringguard and bin/check: find a JDK 25 and a Maven that can build with it.
# Sourced, not executed.

rg_root() { cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd; }

rg_java_major() { # $1 = java binary; prints the feature version or nothing
  "$1" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java\.specification\.version = \([0-9]*\).*/\1/p'
}

# Sets JAVA_HOME to a JDK 25+ or explains what is missing and returns 1.
rg_find_java() {
  if [ -n "${JAVA_HOME:-}" ] && [ -x "$JAVA_HOME/bin/java" ]; then
    local v; v=$(rg_java_major "$JAVA_HOME/bin/java")
    if [ -n "$v" ] && [ "$v" -ge 25 ]; then export JAVA_HOME; return 0; fi
  fi
  local d v
  for d in /usr/lib/jvm/*25* /usr/lib/jvm/*; do
    [ -x "$d/bin/java" ] || continue
    v=$(rg_java_major "$d/bin/java")
    if [ -n "$v" ] && [ "$v" -ge 25 ]; then export JAVA_HOME="$d"; return 0; fi
  done
  echo "ringguard: no JDK 25 found (JAVA_HOME=${JAVA_HOME:-unset}, nothing usable under /usr/lib/jvm)." >&2
  echo "ringguard: install a JDK 25 (e.g. Temurin 25) or point JAVA_HOME at one." >&2
  return 1
}

RG_MAVEN_VERSION=3.9.16
# Prints the path of a Maven 3.9+ binary, bootstrapping one from Maven Central if needed.
rg_find_maven() {
  local m
  if m=$(command -v mvn 2>/dev/null); then
    local v; v=$("$m" -v 2>/dev/null | sed -n 's/.*Apache Maven \([0-9.]*\).*/\1/p' | head -1)
    case "$v" in 3.9.*|3.1[0-9].*|4.*) echo "$m"; return 0 ;; esac
  fi
  local cache="${XDG_CACHE_HOME:-$HOME/.cache}/ringguard"
  local home="$cache/apache-maven-$RG_MAVEN_VERSION"
  if [ ! -x "$home/bin/mvn" ]; then
    mkdir -p "$cache" || return 1
    local url="https://repo.maven.apache.org/maven2/org/apache/maven/apache-maven/$RG_MAVEN_VERSION/apache-maven-$RG_MAVEN_VERSION-bin.tar.gz"
    echo "ringguard: fetching Maven $RG_MAVEN_VERSION from Maven Central" >&2
    local tmp; tmp=$(mktemp -d) || return 1
    if ! curl -fsSL --retry 3 -o "$tmp/m.tgz" "$url" || ! curl -fsSL --retry 3 -o "$tmp/m.sha512" "$url.sha512"; then
      echo "ringguard: could not download Maven (need Maven 3.9+ on PATH or access to Maven Central)" >&2
      rm -rf "$tmp"; return 1
    fi
    if [ "$(sha512sum "$tmp/m.tgz" | cut -d' ' -f1)" != "$(cut -d' ' -f1 "$tmp/m.sha512")" ]; then
      echo "ringguard: Maven download failed its checksum" >&2; rm -rf "$tmp"; return 1
    fi
    tar -xzf "$tmp/m.tgz" -C "$cache" && rm -rf "$tmp" || return 1
  fi
  echo "$home/bin/mvn"
}

# JVM flags the libraries need: Agrona 2 uses jdk.internal.misc; JNA and Agrona use native access;
# the AEAD uses the Vector API when jdk.incubator.vector is there (scalar otherwise). Same list as the
# root pom's ringguard.jvm.flags.
RG_JVM_FLAGS=(--add-exports java.base/jdk.internal.misc=ALL-UNNAMED --enable-native-access=ALL-UNNAMED
  --sun-misc-unsafe-memory-access=allow --add-modules jdk.incubator.vector)
# The daemon's working set is the packet slab (off-heap) plus small tables: a bounded heap keeps the
# resident size near what is used instead of a quarter of the machine. RINGGUARD_JAVA_OPTS overrides.
RG_DAEMON_FLAGS=(-Xms32m -Xmx256m -XX:MaxDirectMemorySize=512m -XX:+UseG1GC)

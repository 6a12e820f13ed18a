# Sourced by ./alpa4j and ./test.sh: finds a JDK 21 or newer and Maven, and exports JAVA_HOME.
# Order: $JAVA_HOME, the javac on PATH, then /usr/lib/jvm/* (newest first).

_alpa4j_major() { # prints the major version of the java in JDK dir $1, or nothing
  local v=""
  # the JDK's release file says it without starting a JVM (each start costs 0.1-0.5 s, more on a loaded machine)
  if [ -f "$1/release" ]; then
    v=$(sed -n 's/^JAVA_VERSION="\([^"]*\)".*/\1/p' "$1/release" | head -1)
    case "$v" in 1.*) ;; *) v="${v%%[.+-]*}" ;; esac
  fi
  [ -n "$v" ] || v=$("$1/bin/java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java\.specification\.version = //p' | head -1)
  case "$v" in 1.*) echo "${v#1.}" | cut -d. -f1 ;; *) echo "$v" ;; esac
}

_alpa4j_ok() { # true if $1 is a JDK (java + javac) of version 21 or newer
  [ -n "$1" ] && [ -x "$1/bin/java" ] && [ -x "$1/bin/javac" ] || return 1
  local m; m=$(_alpa4j_major "$1")
  [ -n "$m" ] && [ "$m" -ge 21 ] 2>/dev/null
}

alpa4j_find_jdk() {
  local c
  if _alpa4j_ok "${JAVA_HOME:-}"; then echo "$JAVA_HOME"; return 0; fi
  if command -v javac >/dev/null 2>&1; then
    c=$(dirname "$(dirname "$(readlink -f "$(command -v javac)")")")
    if _alpa4j_ok "$c"; then echo "$c"; return 0; fi
  fi
  for c in $(ls -d /usr/lib/jvm/*/ 2>/dev/null | sed 's:/$::' | sort -rV); do
    if _alpa4j_ok "$c"; then echo "$c"; return 0; fi
  done
  return 1
}

alpa4j_setup_java() { # exports JAVA_HOME (and MAVEN_OPTS for newer JDKs) or exits 2 with advice
  local jdk
  if ! jdk=$(alpa4j_find_jdk); then
    echo "alpa4j: no JDK 21 or newer found (looked at JAVA_HOME, PATH and /usr/lib/jvm); install one, e.g. 'apt install openjdk-21-jdk', or set JAVA_HOME" >&2
    exit 2
  fi
  export JAVA_HOME="$jdk"
  if [ "$(_alpa4j_major "$jdk")" -ge 24 ]; then
    # Maven 3.8's bundled Guava calls sun.misc.Unsafe; JDK 24+ warns about it on every build
    export MAVEN_OPTS="${MAVEN_OPTS:-} --sun-misc-unsafe-memory-access=allow"
  fi
}

alpa4j_need_maven() {
  if ! command -v mvn >/dev/null 2>&1; then
    echo "alpa4j: Maven (mvn) is needed to build; install it, e.g. 'apt install maven'" >&2
    exit 2
  fi
}

#!/bin/sh
# The installed manual pages: configured with --prefix=/opt/x (a scratch
# build of its own), sandlock(1) and sandlock.ini(5) name the paths under
# /opt/x and no @placeholder@ is left; every page's SEE ALSO names every
# other page, the plugin pages share one section name, and sandlock(1)'s
# FILES describes what examples/sandlock.ini (the default) loads.
. "$top_srcdir/tests/lib.sh"

man_src="$top_srcdir/man"
# page NAME.N: the page's text from the source tree (the template for the
# generated ones).
page() { cat "$man_src/$1" 2>/dev/null || cat "$man_src/$1.in"; }
pages=$(cd "$man_src" && ls | sed -n 's/\.in$//; /\.[1-8]$/p' | sort -u)

# --- the configured paths, installed -------------------------------------
if [ -e "$top_srcdir/config.status" ] && [ "$top_srcdir" != "$top_builddir" ]; then
    skip "configure --prefix=/opt/x beside this build" "the source tree is configured in-tree (configure refuses a second build of it)"
else
    b="$TEST_TMP/opt-x"
    dest="$TEST_TMP/dest"
    mkdir -p "$b"
    (cd "$b" && "$top_srcdir/configure" --prefix=/opt/x >configure.log 2>&1)
    is "configure --prefix=/opt/x: succeeds" "$?" 0
    env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL -u MAKEOVERRIDES \
        make -C "$b" install-man install-dist_bashcompletionDATA DESTDIR="$dest" >"$b/make.log" 2>&1
    is "make install-man install-dist_bashcompletionDATA: succeeds" "$?" 0
    man1="$dest/opt/x/share/man/man1/sandlock.1"
    man5="$dest/opt/x/share/man/man5/sandlock.ini.5"
    like "sandlock(1): the configuration under /opt/x/etc" "$(cat "$man1")" \
        "^\\.I /opt/x/etc/sandlock/sandlock\\.ini\$"
    like "sandlock(1): the default under /opt/x/share" "$(cat "$man1")" \
        "^\\.I /opt/x/share/sandlock/sandlock\\.ini\$"
    like "sandlock(1): the plugins under /opt/x/lib" "$(cat "$man1")" \
        "^\\.I /opt/x/lib/sandlock/plugins/\$"
    like "sandlock(1): the bash completion under /opt/x/share" "$(cat "$man1")" \
        "^\\.I /opt/x/share/bash\\\\-completion/completions/sandlock\$"
    like "sandlock.ini(5): the configuration under /opt/x/etc" "$(cat "$man5")" \
        "^\\.I /opt/x/etc/sandlock/sandlock\\.ini\$"
    like "sandlock.ini(5): the plugins under /opt/x/lib" "$(cat "$man5")" "^\\.I /opt/x/lib/sandlock/plugins\$"
    [ -f "$dest/opt/x/share/bash-completion/completions/sandlock" ]
    is "the bash completion is installed under the prefix" "$?" 0
    n=0
    for f in $(find "$dest" -type f -path '*/man/man*'); do
        n=$((n + 1))
        is "installed $(basename "$f"): no @placeholder@ left" \
            "$(grep -n '@[a-z_]*@' "$f")" ""
        is "installed $(basename "$f"): no /usr/local" "$(grep -n '/usr/local' "$f")" ""
    done
    is "every page is installed" "$n" "$(echo "$pages" | wc -l)"
fi

# --- cross references and sections ----------------------------------------
for p in $pages; do
    see_also=$(page "$p" | sed -n '/^\.SH SEE ALSO/,/^\.SH/p' | sed 's/\\-/-/g')
    missing=
    for other in $pages; do
        [ "$other" = "$p" ] && continue
        name=${other%.*} section=${other##*.}
        printf '%s\n' "$see_also" | grep -q "^\\.BR $name ($section)" || missing="$missing $other"
    done
    is "$p: SEE ALSO names every other page" "$missing" ""
done
sections=$(for p in $pages; do case $p in *.7) page "$p" | sed -n '1s/^\.TH [^ ]* 7 [^ ]* "[^"]*" //p' ;; esac; done | sort -u)
is "the plugin pages share one section name" "$sections" '"sandlock plugins"'

# --- sandlock(1) FILES matches the default configuration ------------------
files=$(page sandlock.1 | sed -n '/^\.SH FILES/,/^\.SH/p')
for module in $(sed -n 's/^module *= *//p' "$top_srcdir/examples/sandlock.ini"); do
    like "FILES: the default loads $module" "$files" "(^|[ \"])$module([ \",]|$)"
done
for syscall in $(sed -n '/^\[plugin audit\]/,/^\[/s/^syscalls *= *//p' "$top_srcdir/examples/sandlock.ini" | tr ',' ' '); do
    like "FILES: the default audits $syscall" "$files" "^\\.BR $syscall \\(2\\)"
done

# --- roff warnings --------------------------------------------------------
if command -v groff >/dev/null; then
    for p in $pages; do
        is "$p: groff -man -ww gives no warning" "$(page "$p" | groff -man -ww -z -t 2>&1)" ""
    done
else
    skip "groff warnings" "groff is not installed"
fi
done_testing

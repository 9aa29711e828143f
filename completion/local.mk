# completion/ -- bash completion for the sandlock command, installed to
# $(bashcompletiondir) (configure: --with-bash-completion-dir).
dist_bashcompletion_DATA = completion/sandlock
TESTS += completion/test.sh
dist_check_SCRIPTS += completion/test.sh

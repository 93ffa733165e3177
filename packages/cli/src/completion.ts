/**
 * Shell completion (commander has none): `strato completion bash` prints a script that completes
 * command names, the kinds after get/describe/delete, stored context names after --context, and
 * files after -f/-p/-j. zsh users load it after `autoload -U +X bashcompinit && bashcompinit`.
 */
import type { Command } from 'commander';
import { KIND_NAMES } from './kinds.ts';

export function completionScript(program: Command, shell: 'bash' | 'zsh'): string {
  const commands = program.commands.map((c) => c.name()).sort();
  const options = (name: string) =>
    (program.commands.find((c) => c.name() === name)?.options ?? []).flatMap((o) => [o.short, o.long].filter(Boolean) as string[]).join(' ');
  const perCommand = commands.map((c) => `    ${c}) opts="${options(c)}" ;;`).join('\n');
  const script = `# strato completion for ${shell}: eval "$(strato completion ${shell})"
_strato_complete() {
  local cur prev cmd opts
  cur="\${COMP_WORDS[COMP_CWORD]}"
  prev="\${COMP_WORDS[COMP_CWORD-1]}"
  cmd=""
  local i
  for ((i = 1; i < COMP_CWORD; i++)); do
    case "\${COMP_WORDS[i]}" in
      -*) ;;
      *) cmd="\${COMP_WORDS[i]}"; break ;;
    esac
  done
  case "$prev" in
    -f|--filename|-p|--resource-path|-j|--json)
      COMPREPLY=( $(compgen -f -- "$cur") ); return ;;
    -o|--output)
      COMPREPLY=( $(compgen -W "table wide json yaml" -- "$cur") ); return ;;
  esac
  if [ -z "$cmd" ]; then
    COMPREPLY=( $(compgen -W "${commands.join(' ')} --server --user --password --context --help --version" -- "$cur") )
    return
  fi
  case "$cmd" in
${perCommand}
  esac
  case "$cmd" in
    get|describe|delete)
      if [ "$prev" = "$cmd" ]; then COMPREPLY=( $(compgen -W "${KIND_NAMES.join(' ')}" -- "$cur") ); return; fi ;;
  esac
  COMPREPLY=( $(compgen -W "$opts" -- "$cur") )
}
complete -o default -F _strato_complete strato`;
  return shell === 'zsh' ? `autoload -U +X bashcompinit && bashcompinit\n${script}` : script;
}

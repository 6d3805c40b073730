import { type Static, Type } from '@sinclair/typebox';
import { Action, Assignee, notifyProperties } from './actions.ts';
import {
  Duration,
  Expression,
  envelope,
  FieldKey,
  FreeObject,
  I18nText,
  Id,
  Key,
  Obj,
  Percentages,
  StringEnum,
  Tag,
  TaggedUnion,
} from './common.ts';

/**
 * Process nodes are stored flat, the way React Flow hands them over (id, type, position),
 * with each type's settings beside them so the designer can round-trip without a mapper.
 */
const nodeBase = {
  id: Id,
  name: Type.Optional(I18nText),
  position: Obj({ x: Type.Number(), y: Type.Number() }),
  status: Type.Optional(Type.String({ minLength: 1, description: 'Record status while the token is here' })),
};

export const END_OUTCOMES = ['resolved', 'closed', 'cancelled', 'rejected', 'done'] as const;
export const DISTRIBUTIONS = ['direct', 'claim', 'roundRobin'] as const;
export const APPROVAL_MODES = ['single', 'all', 'any', 'sequential'] as const;

/** An end node's outcome: its own, else "done". */
export function endOutcome(node: { outcome?: (typeof END_OUTCOMES)[number] }): (typeof END_OUTCOMES)[number] {
  return node.outcome ?? 'done';
}

export const StartNode = Obj({ type: Tag('start'), ...nodeBase });
export const EndNode = Obj({
  type: Tag('end'),
  ...nodeBase,
  outcome: Type.Optional(StringEnum(END_OUTCOMES)),
});

export const FieldAccess = Obj({
  editable: Type.Optional(Type.Array(FieldKey)),
  readonly: Type.Optional(Type.Array(FieldKey)),
  hidden: Type.Optional(Type.Array(FieldKey)),
  required: Type.Optional(Type.Array(FieldKey)),
});

/** Operational-level agreement of one task: warn at percentages of dueIn, act on breach. */
export const Ola = Obj({
  warnAt: Type.Optional(Percentages),
  onWarn: Type.Optional(Type.Array(Action)),
  onBreach: Type.Optional(Type.Array(Action)),
});

/**
 * What a callback does to the record when it arrives. `result` (the posted body's result) and
 * `item` (the list item it names) are visible to the expressions. With `list` + `itemKey`, the
 * callback's item names an element of that list field, and `setItem` updates that element.
 */
const callbackEffects = {
  itemKey: Type.Optional(Type.String({ minLength: 1, description: 'Property that names an item' })),
  list: Type.Optional(FieldKey),
  resultField: Type.Optional(FieldKey),
  set: Type.Optional(Type.Record(Type.String(), Expression)),
  setItem: Type.Optional(Type.Record(Type.String(), Expression)),
};

export const CallbackNode = Obj({
  type: Tag('callback'),
  ...nodeBase,
  callback: Obj(
    {
      name: Type.String({ minLength: 1, description: 'Name the external system posts to' }),
      forEach: Type.Optional(Expression),
      ...callbackEffects,
    },
    // setItem updates an element of `list`, found by `itemKey`: without both it has nothing to update.
    { dependencies: { setItem: ['list', 'itemKey'] } },
  ),
});

/** A callback a user task listens to while it is open; the task stays open (non-interrupting). */
export const TaskCallback = Obj(
  { name: Type.String({ minLength: 1 }), ...callbackEffects },
  { dependencies: { setItem: ['list', 'itemKey'] } },
);

export const UserTaskNode = Obj({
  type: Tag('userTask'),
  ...nodeBase,
  /** What the task's people are asked to do, shown with its buttons ("reply below…"). */
  instructions: Type.Optional(I18nText),
  assignee: Assignee,
  distribution: Type.Optional(StringEnum(DISTRIBUTIONS)),
  approval: Type.Optional(
    Obj({
      mode: StringEnum(APPROVAL_MODES),
      excludeRequester: Type.Optional(
        Type.Boolean({
          description:
            'The record’s requester has no vote, though a member of the approving group (nobody approves their own change)',
        }),
      ),
    }),
  ),
  fieldAccess: Type.Optional(FieldAccess),
  dueIn: Type.Optional(Duration),
  ola: Type.Optional(Ola),
  callbacks: Type.Optional(Type.Array(TaskCallback)),
});

export const ExclusiveGatewayNode = Obj({ type: Tag('exclusiveGateway'), ...nodeBase });
export const ParallelSplitNode = Obj({ type: Tag('parallelSplit'), ...nodeBase });
export const ParallelJoinNode = Obj({ type: Tag('parallelJoin'), ...nodeBase });

/** Exactly one of delay / until; checked by the validator for a clearer message than oneOf. */
export const TimerNode = Obj({
  type: Tag('timer'),
  ...nodeBase,
  timer: Obj({
    delay: Type.Optional(Duration),
    until: Type.Optional(Expression),
  }),
});

export const HTTP_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;

export const HttpAction = Obj({
  type: Tag('http'),
  method: StringEnum(HTTP_METHODS),
  url: Type.String({ minLength: 1, description: 'Liquid template' }),
  headers: Type.Optional(Type.Record(Type.String(), Type.String())),
  body: Type.Optional(Type.Unknown({ description: 'Any JSON; strings inside are liquid templates' })),
  timeoutMs: Type.Optional(Type.Integer({ minimum: 1, maximum: 300_000 })),
  retries: Type.Optional(Type.Integer({ minimum: 0, maximum: 10 })),
  resultField: Type.Optional(FieldKey),
});
/** field → expression */
export const FieldValues = Type.Record(Type.String(), Expression);
export const SetFieldsAction = Obj({ type: Tag('setFields'), values: FieldValues });
export const CreateRecordAction = Obj({
  type: Tag('createRecord'),
  form: Key,
  values: FieldValues,
  link: Type.Optional(
    Type.String({ minLength: 1, description: 'Link type from the new record, e.g. caused-by' }),
  ),
  // A field of this record that receives the new record's number (with forEach, the list).
  resultField: Type.Optional(FieldKey),
  requester: Type.Optional(
    StringEnum(['actor', 'requester'], {
      description:
        'Who the new record is requested by: the person whose action raised it (actor, the default: internal work such as a problem raised from an incident) or this record’s requester (a follow-up request on their behalf)',
    }),
  ),
  visibleToRequester: Type.Optional(
    Type.Boolean({
      description:
        'Let this record’s requester follow the new record (as a watcher) when it is not theirs; off by default, so internal work stays internal',
    }),
  ),
});
export const UpdateCiAction = Obj({ type: Tag('updateCI'), ci: Expression, values: FieldValues });

export const ServiceAction = TaggedUnion('type', [
  HttpAction,
  SetFieldsAction,
  CreateRecordAction,
  UpdateCiAction,
]);

export const ServiceTaskNode = Obj({
  type: Tag('serviceTask'),
  ...nodeBase,
  forEach: Type.Optional(Expression),
  action: ServiceAction,
});

export const NotifyNode = Obj({
  type: Tag('notify'),
  ...nodeBase,
  notify: Obj({ ...notifyProperties }),
});

export const SubProcessNode = Obj({ type: Tag('subProcess'), ...nodeBase, process: Key });

export const ProcessNode = TaggedUnion('type', [
  StartNode,
  EndNode,
  UserTaskNode,
  ExclusiveGatewayNode,
  ParallelSplitNode,
  ParallelJoinNode,
  TimerNode,
  CallbackNode,
  ServiceTaskNode,
  NotifyNode,
  SubProcessNode,
]);

export const NODE_TYPES = [
  'start',
  'end',
  'userTask',
  'exclusiveGateway',
  'parallelSplit',
  'parallelJoin',
  'timer',
  'callback',
  'serviceTask',
  'notify',
  'subProcess',
] as const;
export type NodeType = (typeof NODE_TYPES)[number];

export const ACTION_STYLES = ['primary', 'danger', 'default'] as const;

export const Edge = Obj({
  id: Id,
  source: Id,
  target: Id,
  action: Type.Optional(
    Obj({
      key: Type.String({ minLength: 1, maxLength: 64 }),
      label: I18nText,
      style: Type.Optional(StringEnum(ACTION_STYLES)),
      /** JSON Schema of what the person supplies with the action (e.g. which application); `input` in expressions. */
      input: Type.Optional(FreeObject),
    }),
  ),
  condition: Type.Optional(Expression),
  default: Type.Optional(Type.Boolean()),
  /**
   * An error edge of an HTTP service task: taken when its call fails for good (the retries used
   * up), instead of leaving the token waiting. Its `set` sees `item` and `input` as the call did,
   * and `result.error` (why the call failed, in English) and `result.status` (the answer's HTTP
   * status, or null when there was none).
   */
  error: Type.Optional(
    Type.Boolean({ description: 'Taken when the service task’s outbound call fails for good' }),
  ),
  guards: Type.Optional(Type.Array(Obj({ condition: Expression, message: I18nText }))),
  set: Type.Optional(FieldValues),
});

/**
 * A process whose `form` is `*` runs on records of any type that has no process of its own: the
 * runtime's default lifecycle is one. It may set only the system statuses (every form knows
 * them) and read no form field.
 */
export const ANY_FORM = '*';

export const ProcessDefinition = Obj({
  ...envelope('process'),
  form: Type.Union([Key, Type.Literal(ANY_FORM)], {
    description: 'The form (record type) it runs on, or * for any type without a process of its own',
  }),
  nodes: Type.Array(ProcessNode),
  edges: Type.Array(Edge),
});

export type ProcessDefinition = Static<typeof ProcessDefinition>;
export type ProcessNode = Static<typeof ProcessNode>;
export type ProcessEdge = Static<typeof Edge>;
export type ServiceAction = Static<typeof ServiceAction>;

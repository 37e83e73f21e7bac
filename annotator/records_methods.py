"""The methods of the classes of annotator.model, as ``dataclasses`` makes them: written
by ``python -m tools.gen_records`` (do not edit; tests/test_records.py checks it is
current). See annotator/records.py."""

# ruff: noqa
# mypy: ignore-errors
import _thread
import functools


class _HasDefaultFactory:
    def __repr__(self):
        return "<factory>"


_HAS_DEFAULT_FACTORY = _HasDefaultFactory()


def _recursive_repr(user_function):
    # what dataclasses wraps a __repr__ in: "..." for an object inside itself
    repr_running = set()

    @functools.wraps(user_function)
    def wrapper(self):
        key = id(self), _thread.get_ident()
        if key in repr_running:
            return "..."
        repr_running.add(key)
        try:
            result = user_function(self)
        finally:
            repr_running.discard(key)
        return result
    return wrapper


def _cls(module, name):
    import sys

    return getattr(sys.modules[module], name)


# --- Document

def Document__init__(self, id: 'int', text: 'str', meta: 'dict[str, Any]' = _HAS_DEFAULT_FACTORY, content_hash: 'str' = '', status: 'Status' = 'new', note: 'str | None' = None, title: 'str' = '', created_at: 'str | None' = None, updated_at: 'str | None' = None) -> None:
    self.id = id
    self.text = text
    self.meta = dict() if meta is _HAS_DEFAULT_FACTORY else meta
    self.content_hash = content_hash
    self.status = status
    self.note = note
    self.title = title
    self.created_at = created_at
    self.updated_at = updated_at


@_recursive_repr
def Document__repr__(self):
    return self.__class__.__qualname__ + f"(id={self.id!r}, text={self.text!r}, meta={self.meta!r}, content_hash={self.content_hash!r}, status={self.status!r}, note={self.note!r}, title={self.title!r}, created_at={self.created_at!r}, updated_at={self.updated_at!r})"


def Document__eq__(self, other):
    if other.__class__ is self.__class__:
        return (self.id,self.text,self.meta,self.content_hash,self.status,self.note,self.title,self.created_at,self.updated_at,) == (other.id,other.text,other.meta,other.content_hash,other.status,other.note,other.title,other.created_at,other.updated_at,)
    return NotImplemented


_Document = {
    '__init__': Document__init__,
    '__repr__': Document__repr__,
    '__eq__': Document__eq__,
    '__hash__': None,
    '__match_args__': ('id', 'text', 'meta', 'content_hash', 'status', 'note', 'title', 'created_at', 'updated_at'),
}


# --- Claim

def Claim__init__(self, claim_type: 'ClaimType | None' = None, claimant_span_id: 'int | None' = None, claimant_text: 'str | None' = None, via: 'str | None' = None, checkworthy: 'Checkworthy | None' = None, hedged: 'bool | None' = None) -> None:
    self.claim_type = claim_type
    self.claimant_span_id = claimant_span_id
    self.claimant_text = claimant_text
    self.via = via
    self.checkworthy = checkworthy
    self.hedged = hedged


@_recursive_repr
def Claim__repr__(self):
    return self.__class__.__qualname__ + f"(claim_type={self.claim_type!r}, claimant_span_id={self.claimant_span_id!r}, claimant_text={self.claimant_text!r}, via={self.via!r}, checkworthy={self.checkworthy!r}, hedged={self.hedged!r})"


def Claim__eq__(self, other):
    if other.__class__ is self.__class__:
        return (self.claim_type,self.claimant_span_id,self.claimant_text,self.via,self.checkworthy,self.hedged,) == (other.claim_type,other.claimant_span_id,other.claimant_text,other.via,other.checkworthy,other.hedged,)
    return NotImplemented


_Claim = {
    '__init__': Claim__init__,
    '__repr__': Claim__repr__,
    '__eq__': Claim__eq__,
    '__hash__': None,
    '__match_args__': ('claim_type', 'claimant_span_id', 'claimant_text', 'via', 'checkworthy', 'hedged'),
}


# --- Span

def Span__init__(self, doc_id: 'int', layer: 'Layer', start: 'int', end: 'int', label: 'str', origin: 'Origin' = 'model', decision: 'Decision' = 'pending', score: 'float | None' = None, model: 'str | None' = None, annotator: 'str | None' = None, cues: 'list[str]' = _HAS_DEFAULT_FACTORY, claim: 'Claim | None' = None, id: 'int | None' = None, created_at: 'str | None' = None, updated_at: 'str | None' = None, annotation_set: 'str' = '') -> None:
    self.doc_id = doc_id
    self.layer = layer
    self.start = start
    self.end = end
    self.label = label
    self.origin = origin
    self.decision = decision
    self.score = score
    self.model = model
    self.annotator = annotator
    self.cues = list() if cues is _HAS_DEFAULT_FACTORY else cues
    self.claim = claim
    self.id = id
    self.created_at = created_at
    self.updated_at = updated_at
    self.annotation_set = annotation_set


@_recursive_repr
def Span__repr__(self):
    return self.__class__.__qualname__ + f"(doc_id={self.doc_id!r}, layer={self.layer!r}, start={self.start!r}, end={self.end!r}, label={self.label!r}, origin={self.origin!r}, decision={self.decision!r}, score={self.score!r}, model={self.model!r}, annotator={self.annotator!r}, cues={self.cues!r}, claim={self.claim!r}, id={self.id!r}, created_at={self.created_at!r}, updated_at={self.updated_at!r}, annotation_set={self.annotation_set!r})"


def Span__eq__(self, other):
    if other.__class__ is self.__class__:
        return (self.doc_id,self.layer,self.start,self.end,self.label,self.origin,self.decision,self.score,self.model,self.annotator,self.cues,self.claim,self.id,self.created_at,self.updated_at,self.annotation_set,) == (other.doc_id,other.layer,other.start,other.end,other.label,other.origin,other.decision,other.score,other.model,other.annotator,other.cues,other.claim,other.id,other.created_at,other.updated_at,other.annotation_set,)
    return NotImplemented


_Span = {
    '__init__': Span__init__,
    '__repr__': Span__repr__,
    '__eq__': Span__eq__,
    '__hash__': None,
    '__match_args__': ('doc_id', 'layer', 'start', 'end', 'label', 'origin', 'decision', 'score', 'model', 'annotator', 'cues', 'claim', 'id', 'created_at', 'updated_at', 'annotation_set'),
}


# --- Label

def Label__init__(self, name: 'str', layer: 'LabelLayer', color: 'str', key: 'str' = '', description: 'str' = '', category: 'str' = '') -> None:
    object.__setattr__(self, 'name', name)
    object.__setattr__(self, 'layer', layer)
    object.__setattr__(self, 'color', color)
    object.__setattr__(self, 'key', key)
    object.__setattr__(self, 'description', description)
    object.__setattr__(self, 'category', category)


@_recursive_repr
def Label__repr__(self):
    return self.__class__.__qualname__ + f"(name={self.name!r}, layer={self.layer!r}, color={self.color!r}, key={self.key!r}, description={self.description!r}, category={self.category!r})"


def Label__eq__(self, other):
    if other.__class__ is self.__class__:
        return (self.name,self.layer,self.color,self.key,self.description,self.category,) == (other.name,other.layer,other.color,other.key,other.description,other.category,)
    return NotImplemented


def Label__hash__(self):
    return hash((self.name,self.layer,self.color,self.key,self.description,self.category,))


def Label__setattr__(self, name, value):
    cls = _cls('annotator.model', 'Label')
    if type(self) is cls or name in ('name', 'layer', 'color', 'key', 'description', 'category'):
        from dataclasses import FrozenInstanceError

        raise FrozenInstanceError(f"cannot assign to field {name!r}")
    super(cls, self).__setattr__(name, value)


def Label__delattr__(self, name):
    cls = _cls('annotator.model', 'Label')
    if type(self) is cls or name in ('name', 'layer', 'color', 'key', 'description', 'category'):
        from dataclasses import FrozenInstanceError

        raise FrozenInstanceError(f"cannot delete field {name!r}")
    super(cls, self).__delattr__(name)


_Label = {
    '__init__': Label__init__,
    '__repr__': Label__repr__,
    '__eq__': Label__eq__,
    '__hash__': Label__hash__,
    '__match_args__': ('name', 'layer', 'color', 'key', 'description', 'category'),
    '__setattr__': Label__setattr__,
    '__delattr__': Label__delattr__,
}


# --- LabelCategory

def LabelCategory__init__(self, name: 'str', exclusive: 'bool', required: 'bool' = False, description: 'str' = '') -> None:
    object.__setattr__(self, 'name', name)
    object.__setattr__(self, 'exclusive', exclusive)
    object.__setattr__(self, 'required', required)
    object.__setattr__(self, 'description', description)


@_recursive_repr
def LabelCategory__repr__(self):
    return self.__class__.__qualname__ + f"(name={self.name!r}, exclusive={self.exclusive!r}, required={self.required!r}, description={self.description!r})"


def LabelCategory__eq__(self, other):
    if other.__class__ is self.__class__:
        return (self.name,self.exclusive,self.required,self.description,) == (other.name,other.exclusive,other.required,other.description,)
    return NotImplemented


def LabelCategory__hash__(self):
    return hash((self.name,self.exclusive,self.required,self.description,))


def LabelCategory__setattr__(self, name, value):
    cls = _cls('annotator.model', 'LabelCategory')
    if type(self) is cls or name in ('name', 'exclusive', 'required', 'description'):
        from dataclasses import FrozenInstanceError

        raise FrozenInstanceError(f"cannot assign to field {name!r}")
    super(cls, self).__setattr__(name, value)


def LabelCategory__delattr__(self, name):
    cls = _cls('annotator.model', 'LabelCategory')
    if type(self) is cls or name in ('name', 'exclusive', 'required', 'description'):
        from dataclasses import FrozenInstanceError

        raise FrozenInstanceError(f"cannot delete field {name!r}")
    super(cls, self).__delattr__(name)


_LabelCategory = {
    '__init__': LabelCategory__init__,
    '__repr__': LabelCategory__repr__,
    '__eq__': LabelCategory__eq__,
    '__hash__': LabelCategory__hash__,
    '__match_args__': ('name', 'exclusive', 'required', 'description'),
    '__setattr__': LabelCategory__setattr__,
    '__delattr__': LabelCategory__delattr__,
}


# --- DocLabel

def DocLabel__init__(self, id: 'int | None', doc_id: 'int', category: 'str', label: 'str', origin: 'Origin', decision: 'Decision', score: 'float | None' = None, model: 'str | None' = None, annotator: 'str | None' = None, annotation_set: 'str' = '', created_at: 'str | None' = None, updated_at: 'str | None' = None) -> None:
    self.id = id
    self.doc_id = doc_id
    self.category = category
    self.label = label
    self.origin = origin
    self.decision = decision
    self.score = score
    self.model = model
    self.annotator = annotator
    self.annotation_set = annotation_set
    self.created_at = created_at
    self.updated_at = updated_at


@_recursive_repr
def DocLabel__repr__(self):
    return self.__class__.__qualname__ + f"(id={self.id!r}, doc_id={self.doc_id!r}, category={self.category!r}, label={self.label!r}, origin={self.origin!r}, decision={self.decision!r}, score={self.score!r}, model={self.model!r}, annotator={self.annotator!r}, annotation_set={self.annotation_set!r}, created_at={self.created_at!r}, updated_at={self.updated_at!r})"


def DocLabel__eq__(self, other):
    if other.__class__ is self.__class__:
        return (self.id,self.doc_id,self.category,self.label,self.origin,self.decision,self.score,self.model,self.annotator,self.annotation_set,self.created_at,self.updated_at,) == (other.id,other.doc_id,other.category,other.label,other.origin,other.decision,other.score,other.model,other.annotator,other.annotation_set,other.created_at,other.updated_at,)
    return NotImplemented


_DocLabel = {
    '__init__': DocLabel__init__,
    '__repr__': DocLabel__repr__,
    '__eq__': DocLabel__eq__,
    '__hash__': None,
    '__match_args__': ('id', 'doc_id', 'category', 'label', 'origin', 'decision', 'score', 'model', 'annotator', 'annotation_set', 'created_at', 'updated_at'),
}


# --- LabelScheme

def LabelScheme__init__(self, labels: 'list[Label]', categories: 'list[LabelCategory]' = _HAS_DEFAULT_FACTORY) -> None:
    self.labels = labels
    self.categories = list() if categories is _HAS_DEFAULT_FACTORY else categories


@_recursive_repr
def LabelScheme__repr__(self):
    return self.__class__.__qualname__ + f"(labels={self.labels!r}, categories={self.categories!r})"


def LabelScheme__eq__(self, other):
    if other.__class__ is self.__class__:
        return (self.labels,self.categories,) == (other.labels,other.categories,)
    return NotImplemented


_LabelScheme = {
    '__init__': LabelScheme__init__,
    '__repr__': LabelScheme__repr__,
    '__eq__': LabelScheme__eq__,
    '__hash__': None,
    '__match_args__': ('labels', 'categories'),
}


# --- Change

def Change__init__(self, action: 'str', doc_id: 'int', before: 'dict[int, Span | None]' = _HAS_DEFAULT_FACTORY, after: 'dict[int, Span | None]' = _HAS_DEFAULT_FACTORY, doc_before: 'dict[str, Any]' = _HAS_DEFAULT_FACTORY, doc_after: 'dict[str, Any]' = _HAS_DEFAULT_FACTORY, continued: 'bool' = False) -> None:
    self.action = action
    self.doc_id = doc_id
    self.before = dict() if before is _HAS_DEFAULT_FACTORY else before
    self.after = dict() if after is _HAS_DEFAULT_FACTORY else after
    self.doc_before = dict() if doc_before is _HAS_DEFAULT_FACTORY else doc_before
    self.doc_after = dict() if doc_after is _HAS_DEFAULT_FACTORY else doc_after
    self.continued = continued


@_recursive_repr
def Change__repr__(self):
    return self.__class__.__qualname__ + f"(action={self.action!r}, doc_id={self.doc_id!r}, before={self.before!r}, after={self.after!r}, doc_before={self.doc_before!r}, doc_after={self.doc_after!r}, continued={self.continued!r})"


def Change__eq__(self, other):
    if other.__class__ is self.__class__:
        return (self.action,self.doc_id,self.before,self.after,self.doc_before,self.doc_after,self.continued,) == (other.action,other.doc_id,other.before,other.after,other.doc_before,other.doc_after,other.continued,)
    return NotImplemented


_Change = {
    '__init__': Change__init__,
    '__repr__': Change__repr__,
    '__eq__': Change__eq__,
    '__hash__': None,
    '__match_args__': ('action', 'doc_id', 'before', 'after', 'doc_before', 'doc_after', 'continued'),
}


METHODS = {
    'annotator.model.Document': _Document,
    'annotator.model.Claim': _Claim,
    'annotator.model.Span': _Span,
    'annotator.model.Label': _Label,
    'annotator.model.LabelCategory': _LabelCategory,
    'annotator.model.DocLabel': _DocLabel,
    'annotator.model.LabelScheme': _LabelScheme,
    'annotator.session.Change': _Change,
}

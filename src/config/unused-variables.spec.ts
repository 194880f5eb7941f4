import { unusedVariableWarnings } from './unused-variables';

describe('unused variables of the original design', () => {
  it('warns once for each Celery variable that is set, saying what to set instead', () => {
    const warnings = unusedVariableWarnings({
      CELERY_BROKER_URL: 'redis://broker:6379/0',
      CELERY_RESULT_BACKEND: 'redis://broker:6379/1',
      REDIS_URL: 'redis://r:6379',
    });
    expect(warnings).toHaveLength(2);
    expect(warnings[0]).toMatch(/^CELERY_BROKER_URL is set but not used: .*QUEUE_BROKER_URL/);
    expect(warnings[1]).toMatch(/^CELERY_RESULT_BACKEND is set but not used: .*QUEUE_BROKER_URL/);
    expect(warnings.join(' ')).not.toContain('broker:6379');
  });

  it('says nothing when they are unset or empty', () => {
    expect(unusedVariableWarnings({ CELERY_BROKER_URL: ' ', REDIS_URL: 'redis://r' })).toEqual([]);
  });
});
